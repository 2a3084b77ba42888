// `gradlab train --save FILE.safetensors`: the model's networks as a safetensors file that
// PyTorch reads, in PyTorch's names and layouts: each network's state dict (an MLP's Linear
// weights as [out, in], 'layers.0.weight', 'norms.0.running_mean', ...) under the network's
// name ('G.', 'D.', 'encoder.', 'decoder.', 'net.'). The RBM has no PyTorch module: its W
// [visible, hidden] and biases are written as they are. Metadata: the model, target, epoch,
// steps and settings (as JSON), with "format": "pt" as PyTorch's files on the Hugging Face hub have.

import { toSafetensors, type MLP, type StateDict, type Tensor } from '../../engine/index';
import type { GenerativeModel } from '../core/model';
import { Gan } from '../gan/model';
import { Vae } from '../vae/vae';
import { Diffusion } from '../diffusion/diffusion';
import { Rbm } from '../rbm/rbm';

/** The networks of a model by the name its checkpoints give them; null for the RBM (no network modules). */
function networksOf(model: GenerativeModel): Record<string, MLP> | null {
  if (model instanceof Gan) return { G: model.G, D: model.D };
  if (model instanceof Vae) return { encoder: model.encoder, decoder: model.decoder };
  if (model instanceof Diffusion) return { net: model.net };
  if (model instanceof Rbm) return null;
  throw new Error(`--save .safetensors: no networks known for the ${model.kind} model`);
}

/** Whether --save's path asks for safetensors rather than gradlab's JSON checkpoint. */
export function wantsSafetensors(path: string): boolean {
  return path.toLowerCase().endsWith('.safetensors');
}

/** The bytes of the model's networks as a .safetensors file (tensors read back to the CPU). */
export async function networksToSafetensors(model: GenerativeModel): Promise<Uint8Array> {
  const networks = networksOf(model);
  // The networks' state dicts are copies (freed below); the RBM's parameters are its own.
  const owned: Tensor[] = [];
  const source: [string, Tensor][] = [];
  if (networks === null) source.push(...(model as Rbm).namedParameters());
  else {
    for (const [prefix, net] of Object.entries(networks)) {
      for (const [name, t] of Object.entries(net.stateDict())) {
        owned.push(t);
        source.push([`${prefix}.${name}`, t]);
      }
    }
  }
  const dict: StateDict = {};
  try {
    for (const [name, t] of source) {
      dict[name] = await t.to('cpu');
      owned.push(dict[name]);
    }
    return toSafetensors(dict, {
      format: 'pt',
      model: model.kind,
      target: model.target.name,
      epoch: String(model.epoch),
      steps: String(model.steps),
      config: JSON.stringify(model.config),
    });
  } finally {
    for (const t of owned) t.dispose();
  }
}
