package codex

import (
	"regexp"
	"strings"
)

// applyPatchCmd finds an apply_patch invocation in a shell script:
// `apply_patch <<'EOF'`, `cat <<'EOF' | apply_patch`, `applypatch << 'PATCH'`.
var applyPatchCmd = regexp.MustCompile(`(?:^|[\s;&|(])(?:apply_patch|applypatch)(?:$|[\s<;&|)])`)

// cdAnd finds `cd <dir> &&` ahead of the apply_patch invocation (`cd sub
// && apply_patch <<'EOF'`, `cd sub && cat <<'EOF' | apply_patch`), which
// moves the patch's base directory.
var cdAnd = regexp.MustCompile(`(?:^|[\s;&|(])cd\s+("[^"]*"|'[^']*'|[^\s;&|]+)\s*&&`)

// argvPatch returns the patch a shell tool call's argv applies, and the
// directory it is applied in relative to the call's workdir: argv
// ["apply_patch", patch], or a shell (`bash -lc`, `sh -c`, `powershell
// -Command`, …) running a script that feeds a heredoc to apply_patch.
func argvPatch(argv []string) (patch, dir string, ok bool) {
	if len(argv) == 0 {
		return "", "", false
	}
	switch base(argv[0]) {
	case "apply_patch", "applypatch":
		if len(argv) >= 2 {
			return argv[1], "", true
		}
		return "", "", false
	}
	if len(argv) >= 2 {
		return scriptPatch(argv[len(argv)-1])
	}
	return "", "", false
}

// scriptPatch returns the patch a shell script applies, when it runs
// apply_patch on a patch written inline.
func scriptPatch(script string) (patch, dir string, ok bool) {
	b := strings.Index(script, beginPatch)
	if b < 0 {
		return "", "", false
	}
	pre := script[:b]
	loc := applyPatchCmd.FindStringIndex(pre)
	if loc == nil {
		// A patch written to a file, or printed: nothing is applied.
		return "", "", false
	}
	patch = script[b:]
	if e := strings.Index(patch, endPatch); e >= 0 {
		patch = patch[:e+len(endPatch)]
	}
	if all := cdAnd.FindAllStringSubmatch(pre[:loc[1]], -1); all != nil {
		dir = strings.Trim(all[len(all)-1][1], `"'`)
	}
	return patch, dir, true
}

// base returns the last element of a Unix or Windows path.
func base(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		p = p[i+1:]
	}
	return strings.TrimSuffix(strings.ToLower(p), ".exe")
}
