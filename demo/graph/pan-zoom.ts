// Pan and zoom for a scrollable drawing: a mouse drags it (the container scrolls), a finger
// pans it natively (touch-action: pan-x pan-y) and two fingers pinch to zoom, Ctrl + wheel (a
// trackpad's pinch sends the same) zooms, the plain wheel and, with the container focused, the
// arrow keys scroll it, and + and − zoom. The zoom itself is the caller's (it redraws).

export interface PanZoomOptions {
  /** Zoom by a factor (> 1: in). */
  zoomBy(factor: number): void;
}

/** A drag shorter than this (px) is a click. */
const DRAG_START = 4;

export function attachPanZoom(host: HTMLElement, options: PanZoomOptions): void {
  let drag: { id: number; x: number; y: number; left: number; top: number; moved: boolean } | null = null;
  const touches = new Map<number, { x: number; y: number }>();
  let pinchBase: number | null = null;
  const spread = (): number => {
    const [a, b] = [...touches.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  };

  host.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse') {
      if (e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY, left: host.scrollLeft, top: host.scrollTop, moved: false };
    } else if (e.pointerType === 'touch') {
      touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
      pinchBase = touches.size === 2 ? spread() : null;
    }
  });
  host.addEventListener('pointermove', (e) => {
    if (drag && e.pointerId === drag.id) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < DRAG_START) return;
      if (!drag.moved) {
        drag.moved = true;
        host.classList.add('panning');
        host.setPointerCapture(e.pointerId);
      }
      host.scrollLeft = drag.left - dx;
      host.scrollTop = drag.top - dy;
    } else if (touches.has(e.pointerId)) {
      touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (touches.size === 2 && pinchBase !== null && pinchBase > 0) {
        const ratio = spread() / pinchBase;
        // Zoom in steps, so each redraw is worth it.
        if (ratio > 1.08 || ratio < 1 / 1.08) {
          options.zoomBy(ratio);
          pinchBase = spread();
        }
      }
    }
  });
  const end = (e: PointerEvent): void => {
    touches.delete(e.pointerId);
    if (touches.size < 2) pinchBase = null;
    if (!drag || e.pointerId !== drag.id) return;
    const moved = drag.moved;
    drag = null;
    host.classList.remove('panning');
    // A drag is not a click on the box it ended over.
    if (!moved) return;
    const swallow = (c: MouseEvent): void => { c.stopPropagation(); c.preventDefault(); };
    host.addEventListener('click', swallow, { capture: true });
    window.setTimeout(() => host.removeEventListener('click', swallow, { capture: true }), 0);
  };
  host.addEventListener('pointerup', end);
  host.addEventListener('pointercancel', end);
  host.addEventListener('wheel', (e) => {
    if (!e.ctrlKey) return; // the plain wheel scrolls (pans) the drawing
    e.preventDefault();
    options.zoomBy(e.deltaY < 0 ? 1.1 : 1 / 1.1);
  }, { passive: false });
  host.addEventListener('keydown', (e) => {
    if (e.target !== host) return; // a box's own keys (Enter, Space) stay its own
    if (e.key === '+' || e.key === '=') { e.preventDefault(); options.zoomBy(1.25); }
    if (e.key === '-' || e.key === '−') { e.preventDefault(); options.zoomBy(1 / 1.25); }
  });
}
