#!/usr/bin/env bash
# The whole test suite, including its set-up, on a fresh machine:
#   bash hack/test.sh
# .ci/run calls exactly this. Tools go to $HOME/.cache/osa/tools (see
# hack/install-tools.sh); Go's module and build caches are the machine's own.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)

step "installing test tools"
bash hack/install-tools.sh
export PATH="${OSA_TOOLS_DIR:-$HOME/.cache/osa/tools}/bin:$PATH"

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '/testdata/'))
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...
(cd examples/hello-go && go vet ./...)
node --check examples/hello-node/func.js
python3 -c "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])" examples/orders/order-validator/func.py

step "golangci-lint"
golangci-lint run ./...

step "go test (unit, integration and end-to-end)"
go test -race -count=1 -shuffle=on -timeout 20m ./...

step "fuzzing the parsers and request decoders (short runs; corpora in testdata/fuzz)"
for pkg in $(go list ./pkg/...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "${OSA_FUZZTIME:-10s}" -fuzzminimizetime 2s "$pkg"
  done
done

step "benchmark: osa build vs ko (build + push of the same Go function)"
bash hack/bench-build.sh

step "benchmark: Python builds (source-only rebuild, two platforms vs one, cold vs pip)"
bash hack/bench-python.sh

printf '\nall checks passed in %ds\n' "$(( $(date +%s) - start ))"
