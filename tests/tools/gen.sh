#!/bin/sh
# proxjit gen: every kind and format written and read back by solve; the same seed gives the
# same bytes, another seed other data; bad requests exit 2 with a reason.
#
#   gen.sh PROXJIT WORKDIR
proxjit=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failed=0
fail() {
  echo "FAIL: $*"
  failed=1
}
ok() { "$proxjit" "$@" >out 2>err || fail "exit $? for $*: $(cat err)"; }
refused() {
  message=$1
  shift
  "$proxjit" "$@" >out 2>err
  status=$?
  [ "$status" -eq 2 ] || fail "exit $status for $*, expected 2"
  grep -q -- "$message" err || fail "stderr lacks '$message' for $*: $(cat err)"
}

ok gen lasso --n 60 --d 20 --seed 3 --out A.npy --b-out b.npy --x-true-out x.npy
ok gen lasso --n 60 --d 20 --seed 3 --out A2.npy --b-out b2.npy
cmp -s A.npy A2.npy && cmp -s b.npy b2.npy || fail "the same seed gave other data"
ok gen lasso --n 60 --d 20 --seed 4 --out A3.npy --b-out b3.npy
cmp -s A.npy A3.npy && fail "another seed gave the same data"
ok solve --f least_squares --A A.npy --b b.npy --r "l1(lambda=0.01)" --json --no-cache
grep -q '"status": "converged"' out || fail "solve on gen lasso: $(cat out)"
ok gen quadratic --d 12 --out Q.mtx --b-out q.mtx
ok solve --f quadratic --A Q.mtx --b q.mtx --r "l1(lambda=0.1)" --json --no-cache
grep -q '"status": "converged"' out || fail "solve on gen quadratic: $(cat out)"
ok gen quadratic --d 12 --out Q.csv --b-out q.csv
for kind in classification regression counts multiclass; do
  ok gen $kind --n 200 --d 30 --density 0.2 --out $kind.svm
  [ "$(wc -l <$kind.svm)" -eq 200 ] || fail "$kind.svm has $(wc -l <$kind.svm) lines"
done
ok gen classification --n 200 --d 30 --zero-one --out zo.svm
cut -d' ' -f1 zo.svm | sort -u | tr '\n' ' ' | grep -qx "0 1 " || fail "--zero-one labels"
ok solve --f poisson --data counts.svm --r "l2sq(lambda=0.01)" --json --no-cache
grep -q '"status": "converged"' out || fail "solve on gen counts: $(cat out)"
cut -d' ' -f1 multiclass.svm | sort -u | tr '\n' ' ' | grep -qx "0 1 2 " || fail "multiclass labels"

refused "lasso" gen lasoo --out x.npy
refused "b-out FILE is needed" gen lasso --out A4.npy
refused "holds b already" gen classification --out c.svm --b-out b4.npy
refused "at most 2e8" gen lasso --n 100000 --d 100000 --out big.npy --b-out bb.npy
refused "zero-one applies to classification" gen lasso --zero-one --out a.npy --b-out b5.npy
refused "also the file of --out" gen lasso --out same.npy --b-out same.npy
[ -e big.npy ] && fail "a refused gen wrote a file"
exit $failed
