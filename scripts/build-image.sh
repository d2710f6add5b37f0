#!/usr/bin/env bash
# Build the action's images (full and slim) on a machine without Docker Hub and run the
# entry point end to end against the fake GitHub, with the workspace owned by uid 1001 (the
# GitHub-hosted runner) and by another uid. Follows ../shared/docs/building-the-image.md:
# rootful podman with runc, overlay storage, a python3.11 base built with mmdebstrap in
# place of the pinned python:3.11-slim (build --from overrides the FROM for this build only).
# Not run by CI (minutes); tests/test_bot_image.py only checks that it parses.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${NNREPAIR_IMAGE_WORK:-/tmp/nnrepair-image}
STORE=(--root "$WORK/storage" --storage-driver overlay)
PODMAN=(podman "${STORE[@]}")
mkdir -p "$WORK"
log() { printf '== %s\n' "$*"; }
seconds() { date +%s.%N; }

if ! command -v podman >/dev/null || ! command -v mmdebstrap >/dev/null; then
  log "installing podman and mmdebstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman buildah runc mmdebstrap \
    uidmap slirp4netns fuse-overlayfs containernetworking-plugins iptables >/dev/null
fi
if [ ! -f /etc/containers/containers.conf ]; then
  mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=20000:20000"]\n\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n' \
    > /etc/containers/containers.conf
fi

if ! "${PODMAN[@]}" image exists localhost/py311-local:latest; then
  log "base image (mmdebstrap, Debian 12, python 3.11)"
  t0=$(seconds)
  [ -f "$WORK/base.tar" ] || mmdebstrap --variant=minbase --mode=root --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --aptopt='APT::Install-Recommends "false"' \
    --include=python3,python3-pip,python3-venv,python-is-python3,ca-certificates,netbase,tzdata \
    --customize-hook='rm -f "$1"/usr/lib/python3.11/EXTERNALLY-MANAGED' \
    bookworm "$WORK/base.tar" - < /etc/apt/sources.list.d/debian.sources
  "${PODMAN[@]}" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' "$WORK/base.tar" localhost/py311-local:latest >/dev/null
  log "base built in $(printf '%.0f' "$(echo "$(seconds) - $t0" | bc)") s"
fi

for variant in full slim; do
  log "build $variant"
  t0=$(seconds)
  "${PODMAN[@]}" build --from localhost/py311-local:latest --network host --format docker \
    -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
    --build-arg VARIANT=$variant -t localhost/nnrepair-action:$variant . > "$WORK/build-$variant.log" 2>&1 \
    || { tail -30 "$WORK/build-$variant.log"; exit 1; }
  log "build $variant: $(printf '%.1f' "$(echo "$(seconds) - $t0" | bc)") s"
done

log "image sizes"
"${PODMAN[@]}" images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'nnrepair-action|py311-local'

log "nnrepair --help in the image (first lines)"
"${PODMAN[@]}" run --rm localhost/nnrepair-action:slim nnrepair --help | head -3

log "entry point end to end against the fake GitHub"
status=0
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
for uid in 1001 4242; do
  "$PY" scripts/image-e2e.py localhost/nnrepair-action:full "$uid" "${PODMAN[@]}" || status=1
done
VERIFY=false "$PY" scripts/image-e2e.py localhost/nnrepair-action:slim 1001 "${PODMAN[@]}" || status=1
exit $status
