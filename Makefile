# The two commands of the README. Both install what is missing first, so they
# work on a fresh Debian 12 machine as root.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: demo test build deps bench bench-sklearn format clean

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	$(BUILD_DIR)/tools/proxjit demo

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD_DIR)/bench/proxjit_bench

# The Lasso against scikit-learn, side by side (installs Debian's python3-sklearn first).
bench-sklearn: build
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-sklearn
	/usr/bin/python3 bench/lasso_vs_sklearn.py $(BUILD_DIR)/tools/proxjit
	/usr/bin/python3 bench/saga_vs_sklearn.py $(BUILD_DIR)

format:
	git ls-files '*.h' '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
