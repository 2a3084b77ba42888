// The list of models the command line, the comparison report and the page can build.
// Each model module exports `create`, `load`, `cliFlags` and `configFromFlags`; adding a model
// means adding one entry to `models` below (undefined = not implemented yet).

import type { FlagSpec, Flags } from '../cli/args';
import * as gan from '../gan';
import { Diffusion, DIFFUSION_CLI_FLAGS, diffusionConfigFromFlags } from '../diffusion/diffusion';
import { Rbm, RBM_CLI_FLAGS, rbmConfigFromFlags } from '../rbm/rbm';
import { Vae, VAE_CLI_FLAGS, vaeConfigFromFlags } from '../vae/vae';
import type { BaseConfig, Checkpoint, GenerativeModel, ModelKind } from './model';
import type { Target } from '../data/targets';

export interface ModelEntry {
  /**
   * Build a fresh model on `target`; `data` (rows of the user's CSV) replaces target samples,
   * `labels` are their classes (the conditional GAN only).
   */
  create(target: Target, config?: Partial<BaseConfig> & Record<string, unknown>, data?: Float64Array, labels?: Int32Array): GenerativeModel;
  /** Rebuild a model from a checkpoint (validates it; throws a message starting with `source`). */
  load(checkpoint: Checkpoint, source?: string): GenerativeModel;
  /** The model's own `gradlab train` options (the shared ones live in the train command). */
  cliFlags: FlagSpec;
  /** Turn parsed flags into a partial config, checking values (throws UsageError). */
  configFromFlags(flags: Flags): Partial<BaseConfig> & Record<string, unknown>;
  /** History keys the `--json` line reports (default: every model-specific key of the last record). */
  summaryKeys?: string[];
  /** Epochs `gradlab train` runs when none are given, if not the common default. */
  defaultEpochs?(model: GenerativeModel): number | undefined;
  /** More fields of the `--json` line, measured on the trained model (the conditional GAN's classes). */
  summaryExtras?(model: GenerativeModel): Promise<Record<string, unknown>>;
}

const models: Record<ModelKind, ModelEntry | undefined> = {
  gan: {
    create: (target, config, data, labels) => gan.createGan(target, config, data, labels),
    load: (checkpoint, source) => gan.Gan.load(checkpoint, source),
    cliFlags: gan.cliFlags,
    configFromFlags: gan.configFromFlags,
    summaryKeys: ['gLoss', 'dLoss', 'dReal', 'dFake'],
    summaryExtras: (model) => gan.classesSummary(model as gan.Gan),
    defaultEpochs: (model) => (model.config.conditional === true ? gan.GAN_CONDITIONAL_EPOCHS : undefined),
  },
  vae: { create: (t, c, d) => Vae.create(t, c, d), load: (c, s) => Vae.load(c, s), cliFlags: VAE_CLI_FLAGS, configFromFlags: vaeConfigFromFlags },
  rbm: { create: (t, c, d) => Rbm.create(t, c, d), load: (c, s) => Rbm.load(c, s), cliFlags: RBM_CLI_FLAGS, configFromFlags: rbmConfigFromFlags },
  diffusion: { create: (t, c, d) => Diffusion.create(t, c, d), load: (c, s) => Diffusion.load(c, s), cliFlags: DIFFUSION_CLI_FLAGS, configFromFlags: diffusionConfigFromFlags },
};

export const MODEL_KINDS = Object.keys(models) as ModelKind[];

export function modelEntry(kind: ModelKind): ModelEntry {
  const entry = models[kind];
  if (!entry) throw new Error(`model '${kind}' is not implemented yet (available: ${availableModels().join(', ')})`);
  return entry;
}

export function availableModels(): ModelKind[] {
  return MODEL_KINDS.filter((k) => models[k] !== undefined);
}

export function isModelKind(name: string): name is ModelKind {
  return (MODEL_KINDS as string[]).includes(name);
}

export function createModel(kind: ModelKind, target: Target, config: Partial<BaseConfig> & Record<string, unknown> = {}, data?: Float64Array): GenerativeModel {
  return modelEntry(kind).create(target, config, data);
}

/** Load a checkpoint of any kind (parseCheckpoint reads one from JSON text). */
export function loadModel(checkpoint: Checkpoint, source = 'checkpoint'): GenerativeModel {
  return modelEntry(checkpoint.model).load(checkpoint, source);
}

/** Every implemented model's `gradlab train` options, merged (for parsing and the help text). */
export function modelFlags(): FlagSpec {
  const out: FlagSpec = {};
  const owners: Record<string, ModelKind[]> = {};
  for (const kind of availableModels()) {
    for (const [name, spec] of Object.entries(modelEntry(kind).cliFlags)) {
      (owners[name] ??= []).push(kind);
      // An option several models share keeps each model's own help (their defaults differ).
      out[name] = owners[name].length === 1 ? { ...spec, help: `${spec.help} [${kind}]` } : { ...spec, help: `${out[name].help}; ${spec.help} [${kind}]` };
    }
  }
  return out;
}
