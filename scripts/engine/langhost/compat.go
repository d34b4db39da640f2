// Additions compiled into the Node.js language host built by scripts/engine/build-engine.sh.
//
// The released host module for this engine version is not served by the Go module proxy
// here, so the build takes the host from the newest sdk/v3 release that still carried it
// inside the sdk module and adds the two things the newer engine relies on:
//   - RunPlugin, which the engine uses to start Node.js policy packs (and PulumiPlugin.yaml
//     plugins) through the language host;
//   - runtime options (typescript, nodeargs, tsconfig) from RunRequest.info, where the newer
//     engine sends them instead of passing them as host flags.
// Both fields post-date the vendored protobuf types, so they are read from the messages'
// unknown fields with the field numbers of pulumi/proto/language.proto.

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// Field numbers from language.proto (RunRequest.info = 14, RunPluginRequest.info = 5,
// RunPluginRequest.kind = 6; ProgramInfo.program_directory = 2, ProgramInfo.options = 4).
const (
	runRequestInfoField       = 14
	runPluginRequestInfoField = 5
	runPluginRequestKindField = 6
	programInfoDirField       = 2
	programInfoOptionsField   = 4
)

type programInfo struct {
	programDir string
	options    map[string]interface{}
}

// unknownBytesFields returns the length-delimited unknown fields of a message by number.
func unknownBytesFields(raw []byte) map[protowire.Number][]byte {
	out := map[protowire.Number][]byte{}
	for len(raw) > 0 {
		num, typ, n := protowire.ConsumeTag(raw)
		if n < 0 {
			return out
		}
		raw = raw[n:]
		if typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(raw)
			if m < 0 {
				return out
			}
			out[num] = v
			raw = raw[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, raw)
		if m < 0 {
			return out
		}
		raw = raw[m:]
	}
	return out
}

func decodeProgramInfo(raw []byte) programInfo {
	fields := unknownBytesFields(raw)
	info := programInfo{programDir: string(fields[programInfoDirField])}
	if opts, ok := fields[programInfoOptionsField]; ok {
		var s structpb.Struct
		if proto.Unmarshal(opts, &s) == nil {
			info.options = s.AsMap()
		}
	}
	return info
}

// applyRunOptions copies the project's runtime options onto the host before a Run.
func applyRunOptions(host *nodeLanguageHost, req *pulumirpc.RunRequest) {
	raw, ok := unknownBytesFields(req.ProtoReflect().GetUnknown())[runRequestInfoField]
	if !ok {
		return
	}
	opts := decodeProgramInfo(raw).options
	if v, ok := opts["typescript"].(bool); ok {
		host.typescript = v
	}
	if v, ok := opts["nodeargs"].(string); ok {
		host.nodeargs = v
	}
	if v, ok := opts["tsconfig"].(string); ok {
		host.tsconfigpath = v
	}
}

// runPluginCompat runs a Node.js policy pack (kind "analyzer") or plugin from its directory
// with the @pulumi/pulumi installed there, streaming its output back to the engine, which
// reads the plugin's port from the first stdout line.
func runPluginCompat(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	fields := unknownBytesFields(req.ProtoReflect().GetUnknown())
	info := decodeProgramInfo(fields[runPluginRequestInfoField])
	kind := string(fields[runPluginRequestKindField])
	dir := info.programDir
	if dir == "" {
		dir = req.GetProgram()
	}
	if dir == "" {
		return fmt.Errorf("RunPlugin: no program directory in request")
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("RunPlugin: node not found on PATH: %w", err)
	}
	mod := "@pulumi/pulumi/cmd/run-plugin"
	args := []string{}
	if kind == "analyzer" {
		// run-policy-pack expects <engine-address> <program>.
		mod = "@pulumi/pulumi/cmd/run-policy-pack"
		args = append(args, req.GetArgs()...)
		args = append(args, dir)
	} else {
		args = append(args, dir)
		args = append(args, req.GetArgs()...)
	}
	resolve := exec.Command(nodeBin, "-e", fmt.Sprintf("console.log(require.resolve(%q))", mod))
	resolve.Dir = dir
	script, err := resolve.Output()
	if err != nil {
		return fmt.Errorf("RunPlugin: cannot resolve %s from %s (run npm install there): %w", mod, dir, err)
	}
	nodeArgs := []string{}
	if v, ok := info.options["nodeargs"].(string); ok && v != "" {
		nodeArgs = append(nodeArgs, strings.Fields(v)...)
	}
	cmd := exec.Command(nodeBin, append(append(nodeArgs, strings.TrimSpace(string(script))), args...)...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	if len(req.GetEnv()) > 0 {
		cmd.Env = req.GetEnv()
	}
	if v, ok := info.options["typescript"].(bool); !ok || v {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if v, ok := info.options["tsconfig"].(string); ok && v != "" {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TSCONFIG_PATH="+filepath.Join(dir, v))
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var mu sync.Mutex // grpc streams are not safe for concurrent Send.
	send := func(resp *pulumirpc.RunPluginResponse) {
		mu.Lock()
		defer mu.Unlock()
		_ = server.Send(resp)
	}
	pump := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse, wg *sync.WaitGroup) {
		defer wg.Done()
		buf := make([]byte, 32*1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				chunk := make([]byte, n)
				copy(chunk, buf[:n])
				send(wrap(chunk))
			}
			if err != nil {
				return
			}
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go pump(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	}, &wg)
	go pump(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	}, &wg)
	wg.Wait()
	code := 0
	if err := cmd.Wait(); err != nil {
		if exitErr, ok := err.(*exec.ExitError); ok {
			code = exitErr.ExitCode()
		} else {
			return err
		}
	}
	send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
	return nil
}
