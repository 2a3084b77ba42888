// The speed control beside Start (as GAN Lab's): from one optimisation step a second, to watch
// the plots move step by step, to full speed. It sets the training loop's pace (trainer.ts).

import { el } from './controls';
import { PACES, type TrainLoop } from './trainer';

export function paceLabel(pace: number): string {
  return Number.isFinite(pace) ? `${pace} step${pace === 1 ? '' : 's'}/s` : 'full speed';
}

export function paceControl(loop: TrainLoop): HTMLElement {
  const label = el('label', { class: 'pace', title: 'Training speed: optimisation steps per second, up to full speed' });
  const slider = el('input', {
    type: 'range', min: '0', max: String(PACES.length - 1), step: '1', value: String(PACES.indexOf(Infinity)),
    'data-action': 'pace', 'aria-label': 'Training speed',
  }) as HTMLInputElement;
  const text = el('output', { 'data-pace-label': '' }, paceLabel(loop.pace));
  slider.addEventListener('input', () => {
    loop.pace = PACES[Number(slider.value)] ?? Infinity;
    text.textContent = paceLabel(loop.pace);
    slider.setAttribute('aria-valuetext', text.textContent);
  });
  label.append('Speed ', slider, ' ', text);
  return label;
}
