// Package canon owns the forms in which aitrail handles paths, so that no
// other code joins, cleans or trims a path by hand.
//
// Two forms exist. The lexical form is what a decoder makes of the paths an
// agent wrote: absolute against the turn's working directory, cleaned, in
// the style of the machine that wrote the log (POSIX, or Windows with its
// drive letters and backslashes), without touching the file system (Join,
// Clean, IsAbs, Rel). The canonical form is what is compared: a local
// absolute path, cleaned, with "~" expanded to the home directory and the
// symbolic links of its longest existing prefix resolved (Resolver.Path),
// so that the same file reached through a symlinked home or checkout
// compares equal, byte for byte. A Resolver also finds the git worktree
// that holds a canonical path (Resolver.Root), and Within gives a path
// relative to a directory.
//
// Redaction is no concern of this package: paths are made canonical before
// anything is redacted, and only their display copies are redacted.
//
// canon imports nothing of aitrail.
package canon
