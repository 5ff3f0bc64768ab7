package fileedit

import (
	"path"
	"strings"
)

// IsAbs reports whether p needs no base: a POSIX or Windows absolute path
// (a drive or UNC path), or a home-relative one ("~/…", as redaction writes
// the home directory).
func IsAbs(p string) bool {
	return strings.HasPrefix(p, "/") || isWin(p) || p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`)
}

// isWin reports whether p is a Windows absolute path.
func isWin(p string) bool {
	if len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') && isLetter(p[0]) {
		return true
	}
	return strings.HasPrefix(p, `\\`)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Abs makes p absolute against cwd in cwd's own path style, and cleans it.
// An absolute p is kept (cleaned); with no cwd a relative p stays relative.
func Abs(cwd, p string) string {
	switch {
	case p == "":
		return ""
	case IsAbs(p) || cwd == "":
		return clean(p)
	case isWin(cwd):
		return clean(strings.TrimRight(cwd, `\/`) + `\` + p)
	}
	return clean(strings.TrimRight(cwd, "/") + "/" + p)
}

// clean removes "." and ".." elements and repeated separators, keeping a
// Windows path's volume and backslashes.
func clean(p string) string {
	if !isWin(p) {
		return path.Clean(p)
	}
	p = strings.ReplaceAll(p, "/", `\`)
	vol := p[:2] + `\`
	if strings.HasPrefix(p, `\\`) {
		vol = `\\`
	}
	var parts []string
	for _, e := range strings.Split(p[len(vol):], `\`) {
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

// Rel returns abs relative to cwd with "/" separators, as diff headers
// name files. A path outside cwd (or with no cwd) keeps its full form
// without the leading separator, so that "--- a/<rel>" stays readable.
func Rel(cwd, abs string) string {
	if cwd != "" && abs != "" {
		c, a := clean(cwd), clean(abs)
		sep := "/"
		if isWin(c) {
			sep = `\`
		}
		prefix := strings.TrimSuffix(c, sep) + sep
		if isWin(c) {
			if strings.HasPrefix(strings.ToLower(a), strings.ToLower(prefix)) {
				return strings.ReplaceAll(a[len(prefix):], `\`, "/")
			}
		} else if strings.HasPrefix(a, prefix) {
			return a[len(prefix):]
		}
	}
	return strings.TrimLeft(strings.ReplaceAll(abs, `\`, "/"), "/")
}
