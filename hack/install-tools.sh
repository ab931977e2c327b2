#!/usr/bin/env bash
# install-tools.sh installs the programs the end-to-end tests (internal/e2e) run:
#
#   runc, umoci, skopeo, debootstrap  with apt-get (Debian/Ubuntu), when missing from PATH
#   registry, ko,          with `go install` into ${OSA_TOOLS_DIR:-$HOME/.cache/osa/tools}/bin
#   golangci-lint          (golangci-lint is the linter hack/test.sh runs)
#
# It is idempotent and fast when everything is present: a tool is skipped when
# its binary exists and reports the pinned version (a stamp file next to the
# binary records the version, size and time of the binary that was checked,
# so the check costs nothing).
# Cache ${OSA_TOOLS_DIR} between CI runs; a cold install takes a few minutes.
set -euo pipefail

REGISTRY_VERSION=v3.1.2
KO_VERSION=v0.18.1
GOLANGCI_LINT_VERSION=v2.15.0

TOOLS_DIR=${OSA_TOOLS_DIR:-$HOME/.cache/osa/tools}
BIN_DIR=$TOOLS_DIR/bin

die() {
	echo "install-tools: error: $*" >&2
	exit 1
}

# as_root runs a command as root, through sudo when we are not root.
as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@" || die "'sudo $*' failed (passwordless sudo is needed when not running as root)"
	else
		die "need root (or sudo) to run: $*"
	fi
}

# ---------------------------------------------------------------------------
# apt packages: runc, umoci, skopeo, debootstrap (Debian bases for the e2e tests).

apt_updated=false
apt_install() {
	command -v apt-get >/dev/null 2>&1 ||
		die "'$1' is missing and apt-get is not available; install $* by hand"
	if [[ $apt_updated == false ]]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
			die "apt-get update failed"
		apt_updated=true
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
		die "apt-get install $* failed"
}

missing=()
for tool in runc umoci skopeo debootstrap; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
	echo "install-tools: installing ${missing[*]} with apt-get" >&2
	apt_install "${missing[@]}"
	for tool in "${missing[@]}"; do
		command -v "$tool" >/dev/null 2>&1 || die "'$tool' is still not on PATH after apt-get install"
	done
fi

# Host toolchains the runtimes build with (Maven and a JDK for Java, gcc for
# the Java e2e's native socket library, pip for Python, npm for Node). The
# project's machines have them; install Debian's when one is missing.
missing=()
for pair in mvn:maven javac:openjdk-17-jdk-headless gcc:gcc python3:python3 npm:npm; do
	tool=${pair%%:*} pkg=${pair#*:}
	command -v "$tool" >/dev/null 2>&1 || missing+=("$pkg")
done
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if ((${#missing[@]} > 0)); then
	echo "install-tools: installing ${missing[*]} with apt-get" >&2
	apt_install "${missing[@]}"
fi

# First line of `TOOL --version`, e.g. "runc version 1.1.5+ds1".
echo "runc          $(runc --version | head -n1 | sed 's/^runc version //')  ($(command -v runc))"
echo "umoci         $(umoci --version | head -n1 | sed 's/^umoci version //')  ($(command -v umoci))"
echo "skopeo        $(skopeo --version | head -n1 | sed 's/^skopeo version //')  ($(command -v skopeo))"
echo "debootstrap   $(debootstrap --version | head -n1 | sed 's/^debootstrap //')  ($(command -v debootstrap))"

# ---------------------------------------------------------------------------
# Go tools: registry, ko, golangci-lint.

# module_version prints the main module version recorded in a Go binary.
module_version() {
	go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'
}

# stamp_of prints the stamp recorded for a checked binary: its version plus
# its size and modification time, so that a replaced binary is checked again.
stamp_of() {
	echo "$2 $(stat -c '%s %Y' "$1")"
}

# go_tool NAME PACKAGE VERSION installs PACKAGE@VERSION as $BIN_DIR/NAME.
go_tool() {
	local name=$1 pkg=$2 version=$3
	local bin=$BIN_DIR/$name stamp=$BIN_DIR/.$name.version

	if [[ -x $bin && -f $stamp && $(<"$stamp") == "$(stamp_of "$bin" "$version")" ]]; then
		printf '%-13s %s  (%s)\n' "$name" "$version" "$bin"
		return
	fi
	command -v go >/dev/null 2>&1 || die "'go' is not on PATH; it is needed to install $name $version"
	mkdir -p "$BIN_DIR"
	# A binary without a stamp (e.g. copied from a cache) is accepted when it
	# carries the right module version.
	if [[ -x $bin && $(module_version "$bin") == "$version" ]]; then
		stamp_of "$bin" "$version" >"$stamp"
		printf '%-13s %s  (%s)\n' "$name" "$version" "$bin"
		return
	fi

	echo "install-tools: go install $pkg@$version (this can take a few minutes)" >&2
	local staging
	staging=$(mktemp -d "$BIN_DIR/.install-$name.XXXXXX")
	# Run outside any module so that the tool's own go.mod decides its deps.
	if ! (cd "$staging" && GOBIN=$staging GOWORK=off go install "$pkg@$version"); then
		rm -rf "$staging"
		die "go install $pkg@$version failed"
	fi
	local got
	got=$(module_version "$staging/$name")
	if [[ $got != "$version" ]]; then
		rm -rf "$staging"
		die "go install $pkg@$version produced $name with version '${got:-unknown}'"
	fi
	rm -f "$stamp"
	mv -f "$staging/$name" "$bin"
	rm -rf "$staging"
	stamp_of "$bin" "$version" >"$stamp"
	printf '%-13s %s  (%s)\n' "$name" "$version" "$bin"
}

go_tool registry github.com/distribution/distribution/v3/cmd/registry "$REGISTRY_VERSION"
go_tool ko github.com/google/ko "$KO_VERSION"
go_tool golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint "$GOLANGCI_LINT_VERSION"

# The OCI CLI (Python), a second, independent client of the emulator: a
# virtualenv under the tools directory, linked as $BIN_DIR/oci.
OCI_CLI_VERSION=3.95.1
oci_venv="$TOOLS_DIR/oci-cli"
oci_stamp="$oci_venv/.osa-version"
if [[ ! -x "$oci_venv/bin/oci" || "$(cat "$oci_stamp" 2>/dev/null)" != "$OCI_CLI_VERSION" ]]; then
	echo "install-tools: installing oci-cli $OCI_CLI_VERSION (a virtualenv in $oci_venv)" >&2
	rm -rf "$oci_venv"
	python3 -m venv "$oci_venv" || die "python3 -m venv failed (install python3-venv)"
	"$oci_venv/bin/pip" install --quiet --disable-pip-version-check "oci-cli==$OCI_CLI_VERSION" ||
		die "pip install oci-cli==$OCI_CLI_VERSION failed"
	echo "$OCI_CLI_VERSION" >"$oci_stamp"
fi
ln -sf "$oci_venv/bin/oci" "$BIN_DIR/oci"
printf '%-13s %s  (%s)\n' "oci" "$OCI_CLI_VERSION" "$BIN_DIR/oci"
