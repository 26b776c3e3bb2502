# Assoc: one entry point for builds and checks. CI runs `make test`.
GO      ?= go
BIN     := bin/assoc
FUZZTIME ?= 8s
# Packages whose tests also run under the race detector.
RACE_PKGS := ./engine/... ./qix/... ./server/...

.PHONY: all build run test unit race purego e2e fuzz vet bench bench-kernels clean web web-check browser

all: build

build:
	$(GO) build -o $(BIN) ./cmd/assoc

# Runs the engine on the embedded demo app at http://localhost:9076.
run: build
	./$(BIN) serve --demo

# Everything CI checks.
test: vet unit race purego fuzz e2e web-check browser

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

unit:
	$(GO) test -count=1 ./...

race:
	$(GO) test -count=1 -race $(RACE_PKGS)

# The pure-Go twins of every SIMD kernel.
purego:
	$(GO) test -count=1 -tags purego ./symbols/... ./engine/...

# Brief runs of every fuzz target (longer: make fuzz FUZZTIME=5m): package
# fuzz holds the decoders of untrusted input; the others fuzz internals
# (search terms, number formats, snapshot parts, text compression, routes).
FUZZ_PKGS ?= ./fuzz ./symbols ./engine ./engine/numfmt ./server ./server/auth/rules ./server/metrics ./server/router
fuzz:
	@for p in $(FUZZ_PKGS); do \
		for t in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
			echo "fuzz $$p $$t"; \
			$(GO) test $$p -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; \
		done; \
	done

# End-to-end tests with the real enigma.js client against `assoc serve`.
e2e: build
	@if [ -d test/e2e ]; then cd test/e2e && ./run.sh ../../$(BIN); fi

# The web hub (web/): `make web` rebuilds the committed bundle web/dist from
# web/src and the pinned npm packages; `make web-check` fails when web/dist
# is not the build of them.
WEB_NPM = if [ ! -d web/node_modules/esbuild ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then \
		echo "web: installing node modules (npm ci)"; (cd web && npm ci --no-audit --no-fund --loglevel=error); fi

web:
	@$(WEB_NPM)
	cd web && node build.mjs

web-check:
	@$(WEB_NPM)
	cd web && node build.mjs --check

# The web hub in headless Chromium (Debian's, installed when missing) against
# `assoc serve --demo`; artifacts in test/browser/artifacts/.
browser: build
	test/browser/run.sh $(BIN)

# Benchmarks of the engine at 1e6..1e8 rows (about 10 minutes).
bench:
	ASSOC_BENCH_MAX_ROWS=1e8 $(GO) test -run '^$$' -bench . -benchtime 20x -cpu 1,2 ./engine
	$(GO) test -run '^$$' -bench . ./engine/internal/...

clean:
	rm -rf bin
