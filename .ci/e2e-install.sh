#!/usr/bin/env bash
# The README's "Use it in your rules repository", end to end and offline: `npm pack` this
# repository, install the tarball into a fresh git repository of a few rules (from the npm cache
# `npm ci` filled: .ci/consumer-lock.mjs pins every package), `sigmatest init`, `run`, the vitest
# file, then `gate` on a branch (a harmless change passes, a weakened test and an untested new
# rule fail) and the composite action (action.yml) on that branch. Every step's exit code is
# checked; the first surprise stops the script with a message. Runs in about a minute.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
step() { echo "== e2e: $*"; }
fail() { echo "== e2e FAILED: $*" >&2; exit 1; }
# expect <code> <command...>: runs the command (output to $work/out), checks its exit code.
expect() {
  local want="$1"; shift
  set +e; "$@" >"$work/out" 2>&1; local got=$?; set -e
  if [ "$got" != "$want" ]; then cat "$work/out" >&2; fail "'$*' exited $got, expected $want"; fi
  echo "   exit $got (expected $want): $*"
}

step "npm pack"
(cd "$here" && npm pack --silent --pack-destination "$work" >/dev/null 2>"$work/pack.err") || { cat "$work/pack.err" >&2; fail "npm pack"; }
tgz="$(ls "$work"/sigmatest-*.tgz)"
tar -tzf "$tgz" >"$work/files"
grep -qx 'package/dist/src/cli/main.js' "$work/files" || fail "the tarball has no dist/src/cli/main.js"
if grep -E '\.test\.|^package/src/|\.map$' "$work/files"; then fail "the tarball ships tests, TypeScript sources or source maps"; fi
echo "   $(wc -l <"$work/files") files in $(basename "$tgz")"

repo="$work/rules-repo"
mkdir -p "$repo/rules/registry" "$repo/rules/process_creation" "$repo/cases"
cd "$repo"
git init -q -b main
git config user.email e2e@example.invalid
git config user.name e2e
cp "$here/rules/windows/registry/registry_set_defender_protection_disabled.yml" rules/registry/
cp "$here/rules/windows/process_creation/proc_creation_win_renamed_system_utility.yml" rules/process_creation/
cp "$here/rules/windows/process_creation/proc_creation_win_base64_pe_in_cmdline.yml" rules/process_creation/
cp "$here/cases/registry_set_defender_protection_disabled.yml" "$here/cases/proc_creation_win_renamed_system_utility.yml" cases/
sed -i '/yaml-language-server/d' cases/*.yml

step "install the tarball (offline, from the npm cache)"
node "$here/.ci/consumer-lock.mjs" "$repo" "$tgz" >/dev/null
expect 0 npm ci --offline --no-audit --no-fund
if grep -i 'warn' "$work/out"; then fail "npm printed warnings installing the tarball"; fi
printf 'node_modules/\n' >.gitignore

step "sigmatest init (the third rule has no cases: --scaffold writes them)"
expect 0 npx sigmatest init --scaffold
for f in sigmatest.config.yml cases/README.md tests/sigma-cases.test.mjs .github/workflows/sigmatest.yml cases/proc_creation_win_base64_pe_in_cmdline.yml; do
  [ -f "$f" ] || fail "init did not write $f"
done
cp sigmatest.config.yml "$work/config.before"
echo "# mine" >>sigmatest.config.yml
expect 0 npx sigmatest init
grep -q 'kept sigmatest.config.yml' "$work/out" || fail "init did not say it kept the config"
grep -q '^# mine$' sigmatest.config.yml || fail "init overwrote the config"

step "run and the vitest file"
expect 0 npx sigmatest run
expect 0 npx vitest run
git add -A && git commit -qm "rules with cases"

step "gate on a branch"
git checkout -qb change
# Widen a rule (one more registry value): its cases still pass, the diff is 'widened'.
sed -i "s#^            - '\\\\Windows Defender\\\\DisableAntiSpyware'#&\n            - '\\\\Windows Defender\\\\DisableAntiVirus'#" rules/registry/registry_set_defender_protection_disabled.yml
git diff --quiet && fail "the rule edit changed nothing"
git commit -qam "widen the Defender rule"
expect 0 npx sigmatest gate --base main
# A pure rename of a rule: passes.
git mv rules/process_creation/proc_creation_win_base64_pe_in_cmdline.yml rules/process_creation/pe_in_cmdline.yml
git commit -qm "rename"
expect 0 npx sigmatest gate --base main
# A case of an unchanged rule flipped from match to no-match: tests-weakened, exit 1.
cp cases/proc_creation_win_renamed_system_utility.yml "$work/case.bak"
sed -i '0,/expect: match/s//expect: no-match/' cases/proc_creation_win_renamed_system_utility.yml
expect 1 npx sigmatest gate --base main
grep -q 'tests-weakened' "$work/out" || fail "the gate did not name tests-weakened"
cp "$work/case.bak" cases/proc_creation_win_renamed_system_utility.yml
# A new rule without cases fails the gate (exit 1), in annotations too.
sed 's/^id: .*/id: 0b0c0d0e-1111-4222-8333-444455556666/; s/^title: .*/title: A copy without cases/' rules/registry/registry_set_defender_protection_disabled.yml >rules/registry/new_rule.yml
expect 1 npx sigmatest gate --base main --reporter github
grep -q '^::error file=rules/registry/new_rule.yml,line=' "$work/out" || fail "no error annotation at the new rule"

step "the composite action (action.yml) on the branch"
expect 1 node "$here/.ci/run-action.mjs" "$here/action.yml" base=main
grep -q "::error file=rules/registry/new_rule.yml" "$work/out" || { cat "$work/out" >&2; fail "the action printed no annotation"; }
[ -f gate.sarif ] || fail "the action wrote no SARIF"
rm rules/registry/new_rule.yml gate.sarif
expect 0 node "$here/.ci/run-action.mjs" "$here/action.yml" base=main
step "passed"
