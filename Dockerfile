# The nnrepair GitHub Action: the package with real Keras (the oracle), run as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    KERAS_BACKEND=tensorflow

WORKDIR /opt/nnrepair
COPY pyproject.toml README.md ./
COPY repair_engine/ repair_engine/
COPY bot/ bot/
# the templates ship inside the bot package (bot.jinja_templates, see pyproject.toml)
COPY templates/ templates/

RUN pip install ".[tensorflow]" \
 && useradd --uid 1001 --create-home --shell /usr/sbin/nologin nnrepair \
 && rm -rf /root/.cache

# uid 1001 is the GitHub-hosted runner's user, which owns /github/workspace and the
# files behind GITHUB_OUTPUT / GITHUB_STEP_SUMMARY, so the non-root user can write them.
USER 1001
ENTRYPOINT ["nnrepair", "github"]
