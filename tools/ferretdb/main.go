// Command ferretdb runs FerretDB v1 (a MongoDB wire-compatible server) on a loopback port, with
// its PostgreSQL backend (the default) or its SQLite backend. It exists because no MongoDB server
// can be installed on our development and CI machines (DESIGN §2); production uses real MongoDB.
//
// The PostgreSQL backend pushes `_id` and scalar equality filters down to PostgreSQL indexes; the
// SQLite backend pushes down only a filter that is exactly `{ _id }` and scans otherwise, so it
// stays only as the fallback where no PostgreSQL runs.
//
// It is built with `go build` rather than `go install .../cmd/ferretdb`, whose binary panics at
// start because its generated version file is not part of the module.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	backend := flag.String("backend", "postgresql", "postgresql or sqlite")
	pgURL := flag.String("postgresql-url", "postgres://postgres@127.0.0.1:5432/ferretdb", "PostgreSQL database (created if missing)")
	dataDir := flag.String("data", ".data/ferretdb", "folder for the SQLite databases (sqlite backend)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	if err := run(*listen, *backend, *pgURL, *dataDir, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run(listen, backend, pgURL, dataDir, logLevel string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level %q: %w", logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	config := &ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: listen}, Logger: logger, Handler: backend}
	switch backend {
	case "postgresql":
		if err := ensureDatabase(pgURL); err != nil {
			return err
		}
		config.PostgreSQLURL = pgURL
	case "sqlite":
		abs, err := filepath.Abs(dataDir)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return err
		}
		config.SQLiteURL = "file:" + abs + "/"
	default:
		return fmt.Errorf("bad -backend %q: postgresql or sqlite", backend)
	}

	f, err := ferretdb.New(config)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger.Warn("FerretDB listening", "address", listen, "backend", backend)
	return f.Run(ctx)
}

// ensureDatabase creates the PostgreSQL database FerretDB stores its data in, if it is missing:
// UTF-8 with the C locale, the encoding and one of the locales FerretDB accepts.
func ensureDatabase(rawURL string) error {
	target, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("bad -postgresql-url: %w", err)
	}
	name := strings.TrimPrefix(target.Path, "/")
	if name == "" {
		return errors.New("-postgresql-url names no database")
	}
	admin := *target
	admin.Path = "/postgres"
	// pool_* settings are FerretDB's pool's, not server parameters a plain connection may send.
	query := admin.Query()
	for key := range query {
		if strings.HasPrefix(key, "pool_") {
			query.Del(key)
		}
	}
	admin.RawQuery = query.Encode()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return fmt.Errorf("PostgreSQL at %s: %w", admin.Host, err)
	}
	defer conn.Close(ctx)

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	create := fmt.Sprintf("CREATE DATABASE %s ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0", pgx.Identifier{name}.Sanitize())
	_, err = conn.Exec(ctx, create)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return nil // created meanwhile by another start
	}
	return err
}
