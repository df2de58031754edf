// Command etcd is a single-member etcd server for the test API server
// (tests/helpers/kube-apiserver.ts), started through go.etcd.io/etcd/server/v3 embed as that
// package's documentation shows (server/v3@v3.6.16 embed/doc.go): NewConfig, StartEtcd, wait on
// Server.ReadyNotify, then serve until Err or a signal.
//
// A URL with port 0 gets a free port the kernel picks (bound and released just before etcd binds
// it: etcd's JSON gateway dials the configured client URL, so the URL must name the real port);
// once ready the server prints the client URL it listens on as one line,
// `client-url=http://127.0.0.1:NNNNN`, on stdout.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	dataDir := flag.String("data-dir", "", "directory for the member's data (required)")
	clientURL := flag.String("listen-client-url", "http://127.0.0.1:0", "client URL to listen on")
	peerURL := flag.String("listen-peer-url", "http://127.0.0.1:0", "peer URL to listen on")
	noFsync := flag.Bool("unsafe-no-fsync", false, "disable fsync (tests only: data is lost on a crash)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn, error, panic or fatal")
	flag.Parse()
	if *dataDir == "" {
		log.Fatal("--data-dir is required: pass an empty directory for the member's data")
	}
	lc, err := url.Parse(*clientURL)
	if err != nil {
		log.Fatalf("--listen-client-url: %v", err)
	}
	lp, err := url.Parse(*peerURL)
	if err != nil {
		log.Fatalf("--listen-peer-url: %v", err)
	}

	for _, u := range []*url.URL{lc, lp} {
		if u.Port() != "0" {
			continue
		}
		l, err := net.Listen("tcp", u.Host)
		if err != nil {
			log.Fatalf("pick a free port for %s: %v", u, err)
		}
		u.Host = l.Addr().String()
		l.Close()
	}

	cfg := embed.NewConfig()
	cfg.Name = "test"
	cfg.Dir = *dataDir
	cfg.ListenClientUrls = []url.URL{*lc}
	cfg.AdvertiseClientUrls = []url.URL{*lc}
	cfg.ListenPeerUrls = []url.URL{*lp}
	cfg.AdvertisePeerUrls = []url.URL{*lp}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.UnsafeNoFsync = *noFsync
	cfg.LogLevel = *logLevel

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		log.Fatalf("start etcd: %v", err)
	}
	defer e.Close()
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		e.Server.Stop()
		log.Fatal("etcd did not become ready within 60s")
	}
	fmt.Printf("client-url=http://%s\n", e.Clients[0].Addr().String())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-e.Err():
		log.Fatalf("etcd: %v", err)
	case <-stop:
	}
}
