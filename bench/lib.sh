# Shared helpers for the bench scripts: where the cache lives, how to get llama.cpp's source (the exact
# release our pinned prebuilt libraries were built from) and how to build its tools. Sourced, not run.
# Everything large goes to the cache directory, never into the repository.

BENCH_CACHE="${LLMLSP_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmlsp-bench}"
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_PREBUILT="$BENCH_ROOT/native/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
BENCH_JOBS="${BENCH_JOBS:-$(nproc)}"

bench_log() { echo "[bench] $*" >&2; }

# llama.cpp source of the pinned release (native/llama-server.sh fetches it: npm pack node-llama-cpp, integrity checked,
# clone its git bundle). Prints the folder.
bench_llama_src() {
  bash "$BENCH_ROOT/native/llama-server.sh" --source
}

# llama-bench and llama-embedding compiled from that source but linked against the SAME prebuilt shared
# libraries the server ships (libllama-common.so is among them), so both sides run identical kernels.
# They are placed next to copies of the prebuilt libraries: ggml looks for its CPU variants beside the
# executable.
bench_tools_prebuilt() {
  local src out
  src="$(bench_llama_src)"
  out="$BENCH_CACHE/tools-prebuilt"
  if [ ! -x "$out/llama-bench" ] || [ ! -x "$out/llama-embedding" ] || [ "$BENCH_PREBUILT/libllama.v0.5.0.so" -nt "$out/llama-bench" ]; then
    bench_log "building llama-bench and llama-embedding against the prebuilt libraries into $out"
    mkdir -p "$out"
    cp -f "$BENCH_PREBUILT"/*.so "$out/"
    local flags=(-O2 -std=c++17 -DNDEBUG -I "$src/include" -I "$src/ggml/include" -I "$src/common" -I "$src/vendor" -pthread)
    local libs=(-L "$out" -l:libllama-common.so -l:libllama.v0.5.0.so -l:libggml.v0.5.0.so -l:libggml-base.so -Wl,-rpath,'$ORIGIN')
    nice -n 10 g++ "${flags[@]}" -I "$src/tools/llama-bench" "$src/tools/llama-bench/llama-bench.cpp" "$src/tools/llama-bench/main.cpp" "${libs[@]}" -o "$out/llama-bench.tmp" &
    local bench_pid=$!
    nice -n 10 g++ "${flags[@]}" "$src/examples/embedding/embedding.cpp" "${libs[@]}" -o "$out/llama-embedding.tmp"
    wait "$bench_pid"
    mv "$out/llama-bench.tmp" "$out/llama-bench" && mv "$out/llama-embedding.tmp" "$out/llama-embedding"
  fi
  echo "$out"
}

# The same source built for THIS CPU (GGML_NATIVE=ON; llama.cpp refuses GGML_NATIVE with GGML_BACKEND_DL, so
# libggml-cpu.so is an ordinary dependency of libggml.so here). The libraries are exposed under the prebuilt file names
# (symlinks) so LLMLSP_NATIVE_DIR can point at the folder.
bench_native_build() {
  local src build out
  src="$(bench_llama_src)"
  build="$BENCH_CACHE/native-build"
  out="$BENCH_CACHE/native"
  if [ ! -x "$out/llama-bench" ] || [ ! -x "$out/llama-embedding" ]; then
    bench_log "building llama.cpp with GGML_NATIVE=ON into $build (takes a while on few cores)"
    # A build folder configured from another source folder (the source used to live in this cache) cannot be reused.
    [ ! -f "$build/CMakeCache.txt" ] || grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$src" "$build/CMakeCache.txt" || rm -rf "$build"
    nice -n 10 cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
      -DGGML_NATIVE=ON -DGGML_BACKEND_DL=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF \
      -DLLAMA_BUILD_SERVER=OFF -DCMAKE_BUILD_RPATH='$ORIGIN' -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON \
      -DCMAKE_INSTALL_RPATH='$ORIGIN' >&2
    nice -n 10 cmake --build "$build" -j "$BENCH_JOBS" --target llama-bench llama-embedding ggml-cpu >&2
    rm -rf "$out" && mkdir -p "$out"
    cp -a "$build"/bin/*.so* "$build"/bin/llama-bench "$build"/bin/llama-embedding "$out/"
    ln -sf libggml.so "$out/libggml.v0.5.0.so"
    ln -sf libllama.so "$out/libllama.v0.5.0.so"
  fi
  echo "$out"
}

# llama-server from the same source, linked against the same prebuilt libraries (like bench_tools_prebuilt), built
# once by native/llama-server.sh (the tests use the same build). Prints the folder that holds it.
bench_llama_server() {
  local server
  server="$(LLMLSP_BUILD_JOBS="$BENCH_JOBS" bash "$BENCH_ROOT/native/llama-server.sh")" || return 1
  dirname "$server"
}

# The distribution build of llmlsp (self-contained, composite ReadyToRun: what the .vsix ships), rebuilt when the
# sources changed. Prints the executable's path. Benchmarks run it so that JIT compilation in the server does not
# compete with llama.cpp's threads for the two cores.
bench_llmlsp_dist() {
  local out="$BENCH_ROOT/artifacts/bench/llmlsp-dist" stamp
  stamp="$out/.build-stamp"
  if [ ! -x "$out/llmlsp" ] || [ ! -f "$stamp" ] || [ -n "$(find "$BENCH_ROOT/server" "$BENCH_ROOT/native/package-lock.json" \
      "$BENCH_ROOT/Directory.Build.props" "$BENCH_ROOT/Directory.Packages.props" \
      -newer "$stamp" -type f -not -path '*/bin/*' -not -path '*/obj/*' -print -quit)" ]; then
    bench_log "publishing the distribution build into $out (about two minutes)"
    rm -rf "$out"
    dotnet publish "$BENCH_ROOT/server/LlmLsp.Cli" -c Release -p:Distribution=true -o "$out" --nologo -v quiet -clp:ErrorsOnly >&2
    touch "$stamp"
  fi
  echo "$out/llmlsp"
}

# npm 11.19.1's docs/content (91 Markdown files): the corpus of the index and chat benchmarks, fetched into the cache
# once. Prints the folder.
bench_npm_docs() {
  local dir="$BENCH_CACHE/npm-11.19.1"
  if [ ! -d "$dir/package/docs/content" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack npm@11.19.1 --silent >/dev/null && tar xzf npm-11.19.1.tgz)
  fi
  echo "$dir/package/docs/content"
}
