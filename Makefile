# Tokamak: the two commands of the README, plus the pieces they are made of.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# ccache makes rebuilds in several build trees cheap when it is present.
LAUNCHER := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache,)

.PHONY: tidy all deps configure build test demo bench docs format clean mutate fuzz gpu-bundle

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	@$(MAKE) --no-print-directory deps
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	  -DLLVM_USE_LINKER=lld \
	  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
	  $(LAUNCHER) $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)

# The GPU numerics bundle (docs/Codegen.md, "Tests"): every CPU numerics
# module as a CUDA artifact with its inputs and float64 references and the
# runtime-only runner, in one folder under 60 MiB. Copy GPU_BUNDLE to a GPU
# machine and run GPU_BUNDLE/run.sh there. CUDA_ARCH (default sm_90a).
GPU_BUNDLE ?= $(BUILD_DIR)/gpu-bundle
gpu-bundle: build
	bash scripts/gpu-bundle.sh $(GPU_BUNDLE) $(BUILD_DIR)

# Benchmarks (bench/README.md): the machine's peak, the compiled kernels and
# their PyTorch peers in one table. BENCH_ARGS: --quick, --filter=REGEX,
# --no-torch, --check, --threads=N, ...
BENCH_ARGS ?=
bench: build
	cmake --build $(BUILD_DIR) --target tokamak-bench tokamak-bench-peak tokamak-bench-model -j $(JOBS)
	/usr/bin/python3 bench/run.py --build-dir=$(BUILD_DIR) $(BENCH_ARGS)

# The model rows' peers (bench/README.md, "The model rows"): llama.cpp and
# transformers on PyTorch 2.x in .venv-peers/. Opt-in: a few GB of
# downloads and a llama.cpp build; never part of `make test`.
.PHONY: peers
peers:
	@bash scripts/install-peers.sh

# Mutation test (scripts/mutate.py): mutated shapes, attributes and run-time
# sizes of the integration modules must end as a result or one clean error,
# never a crash or a hang. MUTATE_ARGS: --count=N (0: all ~12k mutants),
# --seed=S, --filter=REGEX, --timeout=SECONDS.
MUTATE_ARGS ?= --count=400
mutate: build
	/usr/bin/python3 scripts/mutate.py --build-dir=$(BUILD_DIR) --jobs=$(JOBS) $(MUTATE_ARGS)

# libFuzzer targets (test/Fuzz): each fuzzes for 10 minutes from its seed
# corpus, one after another; what they find is kept in
# $(BUILD_DIR)/test/Fuzz/<name>/long/.
fuzz: configure
	cmake --build $(BUILD_DIR) --target fuzz-long -j $(JOBS)

docs: build
	cmake --build $(BUILD_DIR) --target tokamak-docs

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format-22 -i

# clang-tidy with .clang-tidy's checks over the compiler and runtime sources
# (TIDY_FILES to narrow it, e.g. TIDY_FILES="$$(git diff --name-only HEAD~1 -- '*.cpp')").
TIDY ?= $(firstword $(wildcard /usr/bin/clang-tidy-22 /usr/bin/clang-tidy))
TIDY_FILES ?= $(shell git ls-files 'dialects/*.cpp' 'lib/*.cpp' 'runtime/*.cpp' 'tools/*.cpp')
tidy: configure
	$(TIDY) -p $(BUILD_DIR) --quiet $(TIDY_FILES)

clean:
	rm -rf $(BUILD_DIR)
