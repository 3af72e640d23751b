#!/bin/sh
# install_consumer.sh CMAKE BUILD_DIR CONSUMER_SOURCE WORK_DIR SOURCE_DIR
# Installs BUILD_DIR into WORK_DIR/prefix, checks the installed package, then configures, builds
# and runs the consumer project against it.
set -eu
cmake=$1 build=$2 consumer=$3 work=$4 source=$5
prefix=$work/prefix

fail() { echo "install_consumer: FAILED: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$prefix" > "$work/install.log" || {
  cat "$work/install.log"; fail "cmake --install"; }

libdir=$(dirname "$(find "$prefix" -name proxjitConfig.cmake | head -n 1)")
[ -f "$libdir/proxjitTargets.cmake" ] || fail "no proxjitTargets.cmake under $prefix"
for file in "$prefix"/bin/proxjit "$prefix"/include/proxjit/engine.h \
            "$prefix"/include/proxjit/runtime/io.h "$prefix"/include/proxjit/codegen/kernel_spec.h; do
  [ -f "$file" ] || fail "missing $file"
done
ls "$prefix"/lib*/libproxjit_runtime.so "$prefix"/lib*/libproxjit_codegen.so \
   "$prefix"/lib*/libproxjit_engine.a > /dev/null || fail "missing libraries"

# The package must name neither LLVM nor the build or source tree.
if grep -il llvm "$libdir"/*.cmake; then fail "the installed CMake package mentions LLVM"; fi
if grep -l -e "$build" -e "$source" "$libdir"/*.cmake; then
  fail "the installed CMake package refers to the build or source tree"
fi
# The installed program runs from the prefix (its libraries found relative to it).
"$prefix/bin/proxjit" list > /dev/null || fail "the installed proxjit does not run"

"$cmake" -S "$consumer" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF > "$work/configure.log" 2>&1 || {
  cat "$work/configure.log"; fail "configuring the consumer"; }
"$cmake" --build "$work/build" -j 2 > "$work/build.log" 2>&1 || {
  cat "$work/build.log"; fail "building the consumer"; }
if grep -i llvm "$work/build/CMakeFiles/consumer.dir/link.txt"; then
  fail "the consumer links LLVM"
fi
"$work/build/consumer" | tee "$work/run.log"
grep -q "^consumer: OK$" "$work/run.log" || fail "the consumer did not print OK"
echo "install_consumer: passed"
