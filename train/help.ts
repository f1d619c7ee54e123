/**
 * The `--help` listing of every config key with its default.
 * @module
 */
import { ARCH_GROUPS, OUR_KEYS, schemaKeys, TrainConfigSchema } from "./config.ts";

/** One line per key: `  arch.L_cycles = 2`, ours marked. */
export function describeConfigKeys(): string {
  const defaults = TrainConfigSchema.safeParse({ data_path: "<required>" });
  const values = defaults.success ? defaults.data as Record<string, unknown> : {};
  const get = (key: string): unknown =>
    key.split(".").reduce<unknown>(
      (o, k) => (o as Record<string, unknown> | undefined)?.[k],
      values,
    );
  const lines = schemaKeys(TrainConfigSchema).map((k) => {
    const v = get(k);
    const shown = k === "arch.puzzle_emb_ndim" && v === null
      ? "${arch.hidden_size}"
      : JSON.stringify(v);
    const ours = (OUR_KEYS as readonly string[]).includes(k) ? "   (this project)" : "";
    return `  ${k} = ${shown}${ours}`;
  });
  return [
    "keys (key=value, Hydra syntax; arch.* dotted):",
    `  arch = <config group>: ${Object.keys(ARCH_GROUPS).join(" (default), ")} ` +
    "(TinyRecursiveModels' config/arch/trm.yaml); data_paths=[dir] = data_path=dir",
    ...lines,
  ].join("\n");
}
