package codex

import (
	"path"
	"strings"
)

// Codex runs on Unix and Windows and the logs keep each platform's paths
// (`C:\workspace\project`). These helpers work on both forms whatever the
// platform aitrail runs on, so package filepath is of no use here.

// isWinPath reports whether p is a Windows absolute path: a drive
// (`C:\`, `C:/`), a UNC path, or the redacted home `%USERPROFILE%`.
func isWinPath(p string) bool {
	if len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') && isLetter(p[0]) {
		return true
	}
	return strings.HasPrefix(p, `\\`) || strings.HasPrefix(p, "%USERPROFILE%")
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isAbs reports whether p needs no base: a Unix or Windows absolute path, or
// a home-relative one (`~/…`, as redaction writes the home directory).
func isAbs(p string) bool {
	return strings.HasPrefix(p, "/") || isWinPath(p) || p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`)
}

// joinPath makes p absolute against base (a turn's cwd or a call's
// workdir), in base's own path style. With no base a relative p stays
// relative (cleaned).
func joinPath(base, p string) string {
	switch {
	case p == "":
		return cleanPath(base)
	case isAbs(p):
		return cleanPath(p)
	case base == "":
		return cleanPath(p)
	case isWinPath(base):
		return cleanWin(base + `\` + p)
	}
	return cleanPath(strings.TrimRight(base, "/") + "/" + p)
}

// cleanPath removes `.` and `..` elements and repeated separators.
func cleanPath(p string) string {
	if p == "" {
		return ""
	}
	if isWinPath(p) {
		return cleanWin(p)
	}
	return path.Clean(p)
}

// cleanWin cleans a Windows path, keeping its volume and using `\`.
func cleanWin(p string) string {
	p = strings.ReplaceAll(p, "/", `\`)
	vol := ""
	switch {
	case strings.HasPrefix(p, `\\`):
		vol = `\\`
	case len(p) >= 2 && p[1] == ':' && isLetter(p[0]):
		vol = p[:2] + `\`
	}
	rest := strings.TrimPrefix(p[len(strings.TrimSuffix(vol, `\`)):], `\`)
	var parts []string
	for _, e := range strings.Split(rest, `\`) {
		switch e {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, e)
		}
	}
	return vol + strings.Join(parts, `\`)
}

// relPath returns abs relative to base with `/` separators, as diff headers
// want it. A path outside base (or with no base) keeps its full form
// without the leading separator, so `--- a/<rel>` stays readable.
func relPath(base, abs string) string {
	if base != "" && abs != "" {
		win := isWinPath(base)
		b, a := cleanPath(base), cleanPath(abs)
		sep := "/"
		if win {
			sep = `\`
		}
		prefix := strings.TrimSuffix(b, sep) + sep
		if win {
			if strings.HasPrefix(strings.ToLower(a), strings.ToLower(prefix)) {
				return strings.ReplaceAll(a[len(prefix):], `\`, "/")
			}
		} else if strings.HasPrefix(a, prefix) {
			return a[len(prefix):]
		}
	}
	return strings.TrimLeft(strings.ReplaceAll(abs, `\`, "/"), "/")
}
