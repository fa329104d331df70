# syntax=docker/dockerfile:1
# lossd's image. One file, two images, chosen by TORCH_VARIANT (the PyTorch wheel index to install torch from):
#   docker build -t lossd:cpu .                                  # CPU only (the default; small)
#   docker build -t lossd:cuda --build-arg TORCH_VARIANT=cu126 . # CUDA 12.6: torch's wheels bring the CUDA
#                                                                # libraries, the host brings the driver
# Pick the CUDA variant your driver supports (README, "A CUDA build of torch").

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG TORCH_VARIANT=cpu
ARG TORCH_INDEX=https://download.pytorch.org/whl/${TORCH_VARIANT}
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/lossd
# torch first, from its own index and in its own layer: it is the large, rarely changing part.
# hadolint ignore=DL3059
RUN /opt/lossd/bin/pip install --index-url "${TORCH_INDEX}" torch==2.13.0
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
RUN /opt/lossd/bin/pip install .

FROM ${PYTHON_IMAGE} AS runtime
ARG TORCH_VARIANT=cpu
LABEL org.opencontainers.image.title="lossd" \
      org.opencontainers.image.description="PyTorch loss functions and their gradients over HTTP" \
      org.opencontainers.image.licenses="Apache-2.0" \
      io.lossd.torch-variant="${TORCH_VARIANT}"
RUN groupadd --system --gid 10001 lossd \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent lossd \
    && install -d -o 10001 -g 10001 -m 0700 /var/lib/lossd
COPY --from=build /opt/lossd /opt/lossd
# Settings are LOSSD_* variables (README, "Settings"); these are the image's defaults.
ENV PATH=/opt/lossd/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LOSSD_HOST=0.0.0.0 \
    LOSSD_PORT=8000 \
    LOSSD_DATA_DIR=/var/lib/lossd \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# The runs database (SQLite) when LOSSD_DATABASE_URL does not name another.
VOLUME /var/lib/lossd
USER 10001:10001
WORKDIR /tmp
EXPOSE 8000
# Ready means a real loss went through the compute pool (GET /readyz); the start period covers importing
# torch and starting the device workers.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('LOSSD_PORT', '8000'), timeout=4)"]
# SIGTERM: not ready at once, requests in flight finish within LOSSD_SHUTDOWN_GRACE_S, then exit.
STOPSIGNAL SIGTERM
ENTRYPOINT ["lossd"]
CMD ["serve"]
