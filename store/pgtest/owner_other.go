//go:build !unix

package pgtest

import "os"

type owner struct{ uid, gid int }

func statOwner(os.FileInfo) (owner, bool) { return owner{}, false }
