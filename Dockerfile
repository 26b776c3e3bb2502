# syntax=docker/dockerfile:1
# The assoc image: one static binary (assoc serve, assoc router) on a small
# base with a shell and wget for the chart's preStop drain hook, running as
# uid/gid 1910 (Qlik Core's), never as root. Build from the repository root:
#
#   docker build -t assocengine/assoc:dev .
#
# Any arbitrary uid works too (OpenShift): nothing in the image needs to be
# written; /doc and /tmp are volumes.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so source changes do not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=0.1.0-dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/assoc ./cmd/assoc

FROM alpine:3.22
RUN addgroup -S -g 1910 assoc && adduser -S -D -H -u 1910 -G assoc -h /doc assoc \
	&& mkdir -p /doc && chown 1910:1910 /doc
COPY --from=build /out/assoc /usr/local/bin/assoc
USER 1910:1910
WORKDIR /doc
# 9076: QIX WebSocket and health; 9090: metrics; 9455: the router.
EXPOSE 9076 9090 9455
ENTRYPOINT ["/usr/local/bin/assoc"]
CMD ["serve", "--addr", ":9076", "--metrics-addr", ":9090", "--docs-dir", "/doc/apps"]
