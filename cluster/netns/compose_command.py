#!/usr/bin/env python3
"""Print the command line and environment docker-compose.yml gives one service.

Used by cluster/netns/run so that the namespace harness executes exactly the
compose file's commands instead of a second copy of them.

    compose_command.py FILE SERVICE argv [--mount /out=DIR] [-- OVERRIDES...]
    compose_command.py FILE SERVICE env
    compose_command.py FILE SERVICE replicas

argv: the service's `command:` list (entrypoint `swiftps` implied), after Compose
      variable interpolation (${VAR}, ${VAR:-default}, ${VAR-default}, $VAR, $$),
      with arguments under a volume target rewritten to a host directory
      (--mount /out=DIR, like a bind mount), then OVERRIDES merged in: an option
      `--name` given in OVERRIDES replaces the same option (and its value) in the
      compose command; options it does not name are appended. Printed NUL-separated.
env:  the service's `environment:` (list or mapping), interpolated, as NUL-separated
      KEY=VALUE items.
replicas: deploy.replicas, interpolated (1 when absent).

Needs PyYAML (Debian: python3-yaml; docker-compose itself depends on it). The compose
file uses YAML anchors and merge keys, which only a real YAML parser handles.
"""
import os
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - reported to the caller
    sys.stderr.write("compose_command.py: PyYAML is missing: apt-get install python3-yaml "
                     "(or pip install pyyaml)\n")
    sys.exit(3)

_VAR = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value, env=os.environ):
    if isinstance(value, (int, float, bool)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if value is None:
        return ""

    def sub(m):
        if m.group(1):
            return "$"
        name = m.group(2) or m.group(5)
        op, arg = m.group(3), m.group(4)
        cur = env.get(name)
        if op in (":-",):
            return cur if cur else arg
        if op == "-":
            return cur if cur is not None else arg
        if op in (":?", "?"):
            if (op == ":?" and not cur) or cur is None:
                raise SystemExit(f"compose_command.py: required variable {name} is not set: {arg}")
            return cur
        return cur or ""

    return _VAR.sub(sub, str(value))


def is_option(tok):
    return tok.startswith("--") and len(tok) > 2


def parse_options(args):
    """Split into [(option, value-or-None), ...] keeping positionals as (tok, None)."""
    out, i = [], 0
    while i < len(args):
        tok = args[i]
        if is_option(tok) and "=" in tok:
            k, v = tok.split("=", 1)
            out.append((k, v))
            i += 1
        elif is_option(tok) and i + 1 < len(args) and not is_option(args[i + 1]):
            out.append((tok, args[i + 1]))
            i += 2
        else:
            out.append((tok, None))
            i += 1
    return out


def merge(base, overrides):
    over = parse_options(overrides)
    names = {k for k, _ in over if is_option(k)}
    merged = [(k, v) for k, v in parse_options(base) if not (is_option(k) and k in names)]
    merged += over
    flat = []
    for k, v in merged:
        flat.append(k)
        if v is not None:
            flat.append(v)
    return flat


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    path, service, what = argv[0], argv[1], argv[2]
    rest = argv[3:]
    with open(path) as f:
        doc = yaml.safe_load(f)
    services = doc.get("services") or {}
    if service not in services:
        sys.stderr.write(f"compose_command.py: {path} has no service '{service}' "
                         f"(has: {', '.join(services)})\n")
        return 2
    svc = services[service] or {}

    if what == "argv":
        mounts, overrides = [], []
        while rest:
            tok = rest.pop(0)
            if tok == "--mount":
                target, host = rest.pop(0).split("=", 1)
                mounts.append((target.rstrip("/"), host.rstrip("/")))
            elif tok == "--":
                overrides = rest
                rest = []
            else:
                sys.stderr.write(f"compose_command.py: unexpected argument {tok}\n")
                return 2
        cmd = svc.get("command")
        if isinstance(cmd, str):
            sys.stderr.write(f"compose_command.py: service '{service}' command must be a YAML list\n")
            return 2
        args = [interpolate(a) for a in (cmd or [])]
        if args and os.path.basename(args[0]) == "swiftps":
            args = args[1:]
        for i, a in enumerate(args):
            for target, host in mounts:
                if a == target or a.startswith(target + "/"):
                    args[i] = host + a[len(target):]
        args = merge(args, overrides)
        sys.stdout.write("".join(a + "\0" for a in args))
    elif what == "env":
        env = svc.get("environment") or {}
        items = []
        if isinstance(env, dict):
            items = [(k, interpolate(v)) for k, v in env.items()]
        else:
            for e in env:
                k, _, v = str(e).partition("=")
                items.append((k, interpolate(v)))
        sys.stdout.write("".join(f"{k}={v}\0" for k, v in items))
    elif what == "replicas":
        r = (svc.get("deploy") or {}).get("replicas", 1)
        print(interpolate(r))
    else:
        sys.stderr.write(f"compose_command.py: unknown query {what}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
