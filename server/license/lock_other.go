//go:build !unix

package license

import "os"

// lockFile only creates the lock file where advisory locks are not
// available: the process-wide mutex of FileStore still serializes its own
// writers, but two processes must not share one directory there.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return func() { _ = f.Close() }, nil
}
