package canon

import (
	"path"
	"strings"
)

// Agents run on Unix and Windows and their logs keep each platform's paths
// (`C:\workspace\project`). The lexical helpers work on both forms whatever
// the platform aitrail runs on, so package filepath is of no use here.

// isWin reports whether p is a Windows absolute path: a drive (`C:\`,
// `C:/`) or a UNC path (`\\server\share`).
func isWin(p string) bool {
	if len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') && isLetter(p[0]) {
		return true
	}
	return strings.HasPrefix(p, `\\`)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// IsAbs reports whether p needs no base: a POSIX or Windows absolute path,
// or a home-relative one ("~", "~/…"), which Resolver.Path expands.
func IsAbs(p string) bool {
	return strings.HasPrefix(p, "/") || isWin(p) || p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`)
}

// Join makes p absolute against base (a turn's cwd or a call's workdir),
// in base's own style, and cleans it. An absolute p is only cleaned; with
// no base a relative p stays relative (cleaned); an empty p stays empty.
func Join(base, p string) string {
	switch {
	case p == "":
		return ""
	case IsAbs(p):
		return Clean(p)
	case base == "":
		return Clean(p)
	case isWin(base):
		return cleanWin(base + `\` + p)
	}
	return Clean(strings.TrimRight(base, "/") + "/" + p)
}

// Clean removes "." and ".." elements and repeated separators, keeping a
// Windows path's volume and backslashes.
func Clean(p string) string {
	if p == "" {
		return ""
	}
	if isWin(p) {
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

// Rel returns abs relative to base with "/" separators when it is inside
// base (or relative), as a diff header names a file of the project; a path
// outside base is returned as written, in full. Windows paths compare
// without regard to case, as Windows does. Rel is for display: canonical
// paths compare with Within.
func Rel(base, abs string) string {
	if !IsAbs(abs) {
		return strings.ReplaceAll(Clean(abs), `\`, "/")
	}
	if base != "" {
		win := isWin(base)
		b, a := Clean(base), Clean(abs)
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
	return abs
}

// DiffName returns how the header of a diff names the file rel (from Rel)
// on one side ("a" or "b"): side/rel, as git writes it, or rel itself when
// it is a full path outside the project, which reads plainly and in which
// redaction recognises a home directory ("a/Users/<name>/…" would hide it).
func DiffName(side, rel string) string {
	if IsAbs(rel) {
		return rel
	}
	return side + "/" + rel
}
