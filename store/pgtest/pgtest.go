// Package pgtest gives tests a real PostgreSQL server: the one
// AITRAIL_TEST_PG names, or a throwaway one started from the system's
// binaries (/usr/lib/postgresql/*/bin) in a temporary directory, on a free
// port of the loopback interface, stopped when the test ends.
//
// initdb refuses to run as root, so as root the server runs as the
// postgres user. A test that cannot have a server is skipped with the
// reason, except under CI (CI set), where that fails it: CI must run the
// team tests.
package pgtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL server for tests.
type Server struct {
	// URL connects as a superuser to its postgres database; it carries a
	// password (a random one for a server started here).
	URL      string
	Password string
	// CAFile is the certificate of the authority that signed the server's
	// certificate (for 127.0.0.1): a server started here takes TLS. ""
	// for the AITRAIL_TEST_PG server.
	CAFile string
	dbs    atomic.Int64
	stop   func() error
}

// Start returns a server for t, and skips t when none can be had (fails
// it under CI). A server started here is stopped when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Launch()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no PostgreSQL server for the team tests (CI must run them): %v", err)
		}
		t.Skipf("no PostgreSQL server (set AITRAIL_TEST_PG=postgres://… or install PostgreSQL's server binaries): %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Logf("stop the test server: %v", err)
		}
	})
	return s
}

// Launch returns the server AITRAIL_TEST_PG names, or starts one; Stop
// stops a started one.
func Launch() (*Server, error) {
	if u := os.Getenv("AITRAIL_TEST_PG"); u != "" {
		s := &Server{URL: u}
		if pu, err := url.Parse(u); err == nil && pu.User != nil {
			s.Password, _ = pu.User.Password()
		}
		return s, nil
	}
	return start()
}

// Stop stops a server that Launch started and removes its files.
func (s *Server) Stop() error {
	if s.stop == nil {
		return nil
	}
	return s.stop()
}

// binDir finds the directory of initdb and pg_ctl: the newest
// /usr/lib/postgresql/*/bin, else the PATH's.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", fmt.Errorf("initdb not found in /usr/lib/postgresql/*/bin or PATH")
	}
	return filepath.Dir(p), nil
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "aitrail-pg-")
	if err != nil {
		return nil, err
	}
	// As root, the server's files belong to the postgres user.
	var as []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and there is no postgres user to run the server as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(name string, args ...string) error {
		argv := append(append(append([]string{}, as...), filepath.Join(bin, name)), args...)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	b := make([]byte, 12)
	rand.Read(b)
	pw := "pw-" + hex.EncodeToString(b)
	pwfile := filepath.Join(dir, "pw")
	if err := writeAs(pwfile, pw+"\n", dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "aitrail", "--pwfile="+pwfile, "--auth-local=trust",
		"--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "-N"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ca, err := writeCerts(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"+
		" -c ssl=on -c ssl_cert_file=%s -c ssl_key_file=%s", port, dir, filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"))
	if err := run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%v\n%s", err, log)
	}
	return &Server{
		URL:      fmt.Sprintf("postgres://aitrail:%s@127.0.0.1:%d/postgres?sslmode=disable", pw, port),
		Password: pw,
		CAFile:   ca,
		stop: func() error {
			defer os.RemoveAll(dir)
			return run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		},
	}, nil
}

// writeAs writes a file readable by the owner of dir only.
func writeAs(path, content, dir string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if st, ok := statOwner(fi); ok {
		return os.Chown(path, st.uid, st.gid)
	}
	return nil
}

// writeCerts makes a certificate authority and a server certificate for
// 127.0.0.1 signed by it, in dir, and returns the authority's file.
func writeCerts(dir string) (string, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "aitrail test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caTmpl, &key.PublicKey, caKey)
	if err != nil {
		return "", err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", err
	}
	pemOf := func(typ string, b []byte) string { return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b})) }
	for name, body := range map[string]string{
		"ca.crt":     pemOf("CERTIFICATE", caDER),
		"server.crt": pemOf("CERTIFICATE", der),
		"server.key": pemOf("EC PRIVATE KEY", keyDER),
	} {
		if err := writeAs(filepath.Join(dir, name), body, dir); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, "ca.crt"), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// NewDB creates an empty database on the server and returns its URL,
// with the server's password. The database is dropped when t ends.
func (s *Server) NewDB(t testing.TB) string {
	t.Helper()
	u, name, err := s.CreateDB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		on(s.URL, func(ctx context.Context, conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			return err
		})
	})
	return u
}

// CreateDB creates an empty database and returns its URL and name.
func (s *Server) CreateDB() (dbURL, name string, err error) {
	name = fmt.Sprintf("t%d_%d", os.Getpid(), s.dbs.Add(1))
	err = on(s.URL, func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, "CREATE DATABASE "+name)
		return err
	})
	if err != nil {
		return "", "", err
	}
	u, err := url.Parse(s.URL)
	if err != nil {
		return "", "", err
	}
	u.Path = "/" + name
	return u.String(), name, nil
}

// Exec runs statements on the server's postgres database as the superuser.
func (s *Server) Exec(t testing.TB, sql string) {
	t.Helper()
	Exec(t, s.URL, sql)
}

// QueryRow runs a query on the database at dbURL and scans its one row.
func QueryRow(t testing.TB, dbURL, query string, dest ...any) {
	t.Helper()
	err := on(dbURL, func(ctx context.Context, conn *pgx.Conn) error { return conn.QueryRow(ctx, query).Scan(dest...) })
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// Exec runs statements on the database at dbURL.
func Exec(t testing.TB, dbURL, sql string) {
	t.Helper()
	err := on(dbURL, func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, sql)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// on runs fn on a connection to the database at dbURL, within a minute.
func on(dbURL string, fn func(context.Context, *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return fn(ctx, conn)
}
