# The two quick-start commands: `make run` and `make test`. Everything else is a helper.
.PHONY: deps build run test release package package-test clang libcxx format format-check fuzz bench clean

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset dev
	cmake --build --preset dev

release: deps
	cmake --preset release
	cmake --build --preset release

# The server's Debian package, build/release/carnet-server_VERSION_ARCH.deb (docs/deployment.md):
# a release carnet-server and nothing else built.
package: deps
	cmake --preset release
	cmake --build --preset release --target carnet-server
	cd build/release && cpack

# Installs that package for real (dpkg -i: as root, or with sudo), checks its unit, runs it as its
# user, syncs two devices (the dev build's carnet-device) through it, then purges it
# (tests/package/deb_test.sh).
package-test: package build
	tests/package/deb_test.sh "$$(ls -t build/release/carnet-server_*.deb | head -1)" build/dev/device/carnet-device .

# The main job: the tablet app on the demo campaign (the sample forms, and on first run the demo
# walk lists, people, calls and activity seeded by --demo), data kept in build/demo-data.
# Without a display (a server, CI), it checks the sample forms instead and says so.
DEMO_DATA ?= build/demo-data
run: release
	./build/release/forms/carnet-forms check assets/forms/*.json
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  ./build/release/app/carnet --data $(DEMO_DATA) --forms assets/forms --demo; \
	else \
	  echo "No display: run 'xvfb-run make run' to start the app in a virtual screen."; \
	fi

test: build
	ctest --preset dev

clang: deps
	cmake --preset clang
	cmake --build --preset clang

# The device libraries as Android's NDK builds them (clang, libc++, unsigned char) and their tests
# (docs/platforms.md); only those libraries, so that it stays a few minutes of CI.
libcxx: deps
	cmake --preset libcxx
	cmake --build --preset libcxx
	ctest --preset libcxx

# Runs each libFuzzer target for FUZZ_SECONDS on its committed corpus.
FUZZ_SECONDS ?= 20
fuzz: clang
	scripts/run-fuzzers.sh build/clang/fuzz $(FUZZ_SECONDS)

# Every benchmark, one `name value unit` line per figure (docs/performance.md).
bench:
	bench/forms
	bench/store
	xvfb-run -a true >/dev/null 2>&1 && bench/app || echo "bench/app needs xvfb-run"

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check: deps
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build
