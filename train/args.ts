/**
 * From command-line `key=value` arguments to a config, including the two
 * cases that start from a saved config: `resume=...` (the checkpoint's config,
 * then the arguments on top) and `deno task eval checkpoint=...` (the
 * checkpoint's config, or the reference's `all_config.yaml` / our
 * `config.json` beside a weights-only file such as `deno task convert` writes).
 * @module
 */
import {
  configFromArgs,
  officialAliases,
  parseOverrides,
  schemaKeys,
  type TrainConfig,
  TrainConfigSchema,
} from "./config.ts";
import { readCheckpointMeta, resolveResume } from "./checkpoint.ts";

/** The trainer config for `deno task train` arguments (resuming starts from the checkpoint's). */
export async function trainConfigFromArgs(args: readonly string[]): Promise<TrainConfig> {
  const keys = schemaKeys(TrainConfigSchema);
  const { set } = parseOverrides(officialAliases(args).rest, keys);
  const resume = set.get("resume");
  if (resume === undefined || resume === false || resume === "false") return configFromArgs(args);
  const runDir = (set.get("run_dir") ?? set.get("checkpoint_path")) as string | undefined;
  if (resume === true || resume === "true") {
    if (!runDir) {
      throw new Error("resume=true needs run_dir=<run folder> (or give resume=<folder or file>)");
    }
  }
  const found = await resolveResume(
    resume === true || resume === "true" ? true : String(resume),
    runDir ?? String(resume),
  );
  return configFromArgs(args, found.meta.config);
}

/** Keys only `deno task eval` takes (the reference's evaluate.py names). */
export const EVAL_KEYS = ["checkpoint", "save_outputs"] as const;

/** What `deno task eval` arguments resolve to. */
export interface EvalArgs {
  checkpoint: string;
  /** Outputs to save (`save_outputs=[...]`); undefined: the default. */
  saveOutputs?: string[];
  /** The remaining `key=value` overrides for the trainer config. */
  overrides: string[];
}

/** Splits eval arguments into the eval-only keys and config overrides. */
export function parseEvalArgs(args: readonly string[]): EvalArgs {
  let checkpoint: string | undefined;
  let saveOutputs: string[] | undefined;
  const overrides: string[] = [];
  const keys = [...EVAL_KEYS, ...schemaKeys(TrainConfigSchema)];
  for (const arg of args) {
    const key = arg.split("=")[0].replace(/^\+{1,2}/, "");
    if (key === "checkpoint" || key === "save_outputs") {
      const { set } = parseOverrides([arg], keys);
      const v = set.get(key);
      if (key === "checkpoint") {
        if (typeof v !== "string" || !v) throw new Error("key 'checkpoint': expected a file path");
        checkpoint = v;
      } else {
        const list = Array.isArray(v) ? v : v === null ? [] : [v];
        saveOutputs = list.map(String);
      }
    } else {
      // Unknown keys: one line listing the valid ones (arch=<group>, data_paths=[..] accepted).
      parseOverrides(officialAliases([arg]).rest, keys);
      overrides.push(arg);
    }
  }
  if (!checkpoint) {
    throw new Error("checkpoint=<file> is required (a training checkpoint or converted weights)");
  }
  return { checkpoint, saveOutputs, overrides };
}

/** The config a checkpoint was trained with, from its metadata or files beside it. */
export async function savedConfigFor(
  checkpoint: string,
): Promise<{ config: Record<string, unknown>; source: string } | undefined> {
  const meta = await readCheckpointMeta(checkpoint);
  if (meta) return { config: meta.config, source: checkpoint };
  const dir = checkpoint.includes("/") ? checkpoint.slice(0, checkpoint.lastIndexOf("/")) : ".";
  for (const dirs of [dir, `${dir}/..`]) {
    const yaml = `${dirs}/all_config.yaml`;
    const text = await Deno.readTextFile(yaml).catch(() => undefined);
    if (text !== undefined) return { config: parseSimpleYaml(text, yaml), source: yaml };
    const json = `${dirs}/config.json`;
    const jtext = await Deno.readTextFile(json).catch(() => undefined);
    if (jtext !== undefined) {
      let raw: { config?: Record<string, unknown> } & Record<string, unknown>;
      try {
        raw = JSON.parse(jtext);
      } catch {
        throw new Error(`${json}: not valid JSON`);
      }
      return { config: raw.config ?? raw, source: json };
    }
  }
  return undefined;
}

/**
 * Reads the YAML subset PyYAML's `yaml.dump` writes for the reference's config
 * (`all_config.yaml`): nested block mappings by indentation, `- item` block
 * lists, flow lists `[a, b]`, plain/quoted scalars. Anything else is an error.
 */
export function parseSimpleYaml(text: string, where: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const stack: { indent: number; obj: Record<string, unknown> }[] = [{ indent: -1, obj: root }];
  let pendingList: { indent: number; list: unknown[] } | undefined;
  let lastKey: { obj: Record<string, unknown>; key: string; indent: number } | undefined;
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n].replace(/\s+#.*$/, "");
    if (!raw.trim() || raw.trim().startsWith("#")) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (line.startsWith("- ")) {
      if (!lastKey || lastKey.obj[lastKey.key] !== null && !pendingList) {
        throw new Error(`${where}: line ${n + 1}: unexpected list item`);
      }
      if (!pendingList) {
        pendingList = { indent, list: [] };
        lastKey.obj[lastKey.key] = pendingList.list;
      }
      pendingList.list.push(yamlScalar(line.slice(2)));
      continue;
    }
    pendingList = undefined;
    const m = /^([^:]+?):(?:\s+(.*))?$/.exec(line);
    if (!m) throw new Error(`${where}: line ${n + 1}: expected 'key: value'`);
    while (stack.length > 1 && indent <= stack.at(-1)!.indent) stack.pop();
    const obj = stack.at(-1)!.obj;
    const key = m[1].trim().replace(/^['"]|['"]$/g, "");
    if (m[2] === undefined || m[2] === "") {
      // A nested mapping or a block list follows; null until we see which.
      const child: Record<string, unknown> = {};
      obj[key] = null;
      const next = lines.slice(n + 1).find((l) => l.trim() && !l.trim().startsWith("#"));
      if (next && !next.trim().startsWith("- ") && next.length - next.trimStart().length > indent) {
        obj[key] = child;
        stack.push({ indent, obj: child });
      }
      lastKey = { obj, key, indent };
    } else {
      obj[key] = yamlScalar(m[2]);
      lastKey = { obj, key, indent };
    }
  }
  return root;
}

function yamlScalar(s: string): unknown {
  const t = s.trim();
  if (t.startsWith("[") && t.endsWith("]")) {
    const inner = t.slice(1, -1).trim();
    return inner ? inner.split(",").map((x) => yamlScalar(x)) : [];
  }
  if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replaceAll("''", "'");
  if (t.startsWith('"') && t.endsWith('"')) return JSON.parse(t);
  if (t === "null" || t === "~") return null;
  if (t === "true" || t === "True") return true;
  if (t === "false" || t === "False") return false;
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  return t;
}
