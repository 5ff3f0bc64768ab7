// Package repofile reads files that come from a repository's work tree.
//
// Whoever can push to a repository chooses what its work tree holds: a rule
// file may be a symbolic link to /dev/zero, a named pipe that never ends, a
// socket or a huge file. Read is the one way aitrail opens such a file: it
// accepts only a regular file of at most MaxSize bytes, reached without a
// symbolic link that leaves the repository, and it never blocks on a device
// or a pipe. The package knows nothing of what the files hold.
package repofile
