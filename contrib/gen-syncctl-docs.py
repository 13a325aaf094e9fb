#!/usr/bin/env python3
"""Generates syncctl's man page and shell completions from its command definitions.

Usage: contrib/gen-syncctl-docs.py [path/to/syncctl] [outdir]   (defaults: .build/debug/syncctl, contrib/generated)
The man page comes from `syncctl --experimental-dump-help` (argument-parser's JSON description of
every command), the completions from `syncctl --generate-completion-script bash|zsh|fish`.
"""
import json, os, subprocess, sys

def roff(s):
    return (s or "").replace("\\", "\\\\").replace("-", "\\-").replace("\n.", "\n\\&.")

def names(arg):
    out = []
    for n in arg.get("names", []):
        out.append(("--" if n["kind"] == "long" else "-") + n["name"])
    return out

def synopsis(cmd, path):
    parts = [f"\\fB{' '.join(path)}\\fR"]
    for a in cmd.get("arguments", []):
        if a.get("shouldDisplay") is False:
            continue
        if a["kind"] == "positional":
            v = f"<{a.get('valueName', 'value')}>"
        else:
            n = names(a)
            if not n:
                continue
            v = n[0] + ("" if a["kind"] == "flag" else f" <{a.get('valueName', 'value')}>")
        parts.append(f"[{v}]" if a.get("isOptional") else v)
    return " ".join(parts)

def section(cmd, path, out):
    out.append(f".SS {roff(' '.join(path))}")
    out.append(roff(cmd.get("abstract", "")))
    if cmd.get("discussion"):
        out.append(".PP\n" + roff(cmd["discussion"]))
    out.append(".PP\n" + synopsis(cmd, path))
    for a in cmd.get("arguments", []):
        if a.get("shouldDisplay") is False:
            continue
        label = ", ".join(names(a)) if a["kind"] != "positional" else f"<{a.get('valueName', 'value')}>"
        out.append(f".TP\n\\fB{roff(label)}\\fR\n{roff(a.get('abstract', ''))}")
    for sub in cmd.get("subcommands", []):
        section(sub, path + [sub["commandName"]], out)

def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/syncctl"
    outdir = sys.argv[2] if len(sys.argv) > 2 else "contrib/generated"
    os.makedirs(outdir, exist_ok=True)
    dump = json.loads(subprocess.check_output([exe, "--experimental-dump-help"]))
    root = dump["command"]
    out = [".TH SYNCCTL 1", ".SH NAME", f"syncctl \\- {roff(root.get('abstract', ''))}",
           ".SH SYNOPSIS", "\\fBsyncctl\\fR <command> [options]", ".SH DESCRIPTION", roff(root.get("discussion", "")),
           ".SH COMMANDS"]
    for sub in root.get("subcommands", []):
        if sub["commandName"] == "help":
            continue
        section(sub, ["syncctl", sub["commandName"]], out)
    out += [".SH FILES", "$XDG_RUNTIME_DIR/peersync/syncd.sock \\- the control socket of syncd",
            ".SH SEE ALSO", "syncd(8), journalctl(1)"]
    with open(os.path.join(outdir, "syncctl.1"), "w") as f:
        f.write("\n".join(out) + "\n")
    for shell, name in [("bash", "syncctl.bash"), ("zsh", "_syncctl"), ("fish", "syncctl.fish")]:
        script = subprocess.check_output([exe, "--generate-completion-script", shell])
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(script)
    print(f"wrote {outdir}/syncctl.1 and completions for bash, zsh, fish")

if __name__ == "__main__":
    main()
