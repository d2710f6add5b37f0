# The nnrepair GitHub Action, by GitHub's rules for Docker actions: no USER (the runner
# starts the container as root; files the bot creates in /github/workspace are handed to
# the workspace's owner, see bot/outputs.py), WORKDIR left to the runner (-w /github/workspace).
#
# VARIANT=full (default): with TensorFlow, repairs confirmed by real Keras (verify: true).
# VARIANT=slim: no TensorFlow, for `verify: false` (the static semantics judge alone).
# The base is pinned by digest; build-image.sh overrides it with a local stand-in (--from).
FROM python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b

ARG VARIANT=full
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    TF_ENABLE_ONEDNN_OPTS=0 \
    KERAS_BACKEND=tensorflow \
    NNREPAIR_IMAGE_VARIANT=${VARIANT}

# Dependencies first, from the hashed lock file: a source change does not reinstall TensorFlow.
COPY docker/requirements-${VARIANT}.lock /opt/nnrepair/requirements.lock
RUN pip install --require-hashes --no-deps -r /opt/nnrepair/requirements.lock

COPY pyproject.toml README.md /opt/nnrepair/
COPY repair_engine/ /opt/nnrepair/repair_engine/
COPY bot/ /opt/nnrepair/bot/
# the templates ship inside the bot package (bot.jinja_templates, see pyproject.toml)
COPY templates/ /opt/nnrepair/templates/
RUN pip install --no-deps --no-build-isolation /opt/nnrepair && rm -rf /root/.cache /opt/nnrepair/build

# `nnrepair github` by default; `docker run IMAGE nnrepair ...` runs the CLI as given.
ENTRYPOINT ["python", "-m", "bot.entrypoint"]
