/**
 * Difference view: the per-pixel absolute difference of the two videos' current frames, drawn
 * on a canvas. Redrawn on every animation frame in which either video's time has changed
 * (so while playing, and after a seek or a frame step).
 */
import { useEffect, useRef, type ReactElement, type RefObject } from 'react';
import { absoluteDifference } from './view-tools';

export function DifferenceCanvas({
  masterRef,
  followerRef,
  transform,
  onClick,
  testId,
}: {
  masterRef: RefObject<HTMLVideoElement | null>;
  followerRef: RefObject<HTMLVideoElement | null>;
  transform: string;
  onClick: () => void;
  testId: string;
}): ReactElement {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const scratchA = document.createElement('canvas');
    const scratchB = document.createElement('canvas');
    const contextA = scratchA.getContext('2d', { willReadFrequently: true });
    const contextB = scratchB.getContext('2d', { willReadFrequently: true });
    let frame = 0;
    let drawnAt: string | null = null;

    const draw = (): void => {
      const canvas = canvasRef.current;
      const a = masterRef.current;
      const b = followerRef.current;
      if (!canvas || !a || !b || !contextA || !contextB) return;
      // Both need a decoded frame (HAVE_CURRENT_DATA) and a size.
      if (a.readyState < 2 || b.readyState < 2 || a.videoWidth === 0 || b.videoWidth === 0) return;
      const key = `${a.currentTime}|${b.currentTime}|${a.videoWidth}x${a.videoHeight}`;
      if (key === drawnAt) return;
      const width = a.videoWidth;
      const height = a.videoHeight;
      for (const scratch of [scratchA, scratchB, canvas]) {
        if (scratch.width !== width) scratch.width = width;
        if (scratch.height !== height) scratch.height = height;
      }
      // B is scaled onto A's pixel grid when the sizes differ.
      contextA.drawImage(a, 0, 0, width, height);
      contextB.drawImage(b, 0, 0, width, height);
      const pixelsA = contextA.getImageData(0, 0, width, height);
      const pixelsB = contextB.getImageData(0, 0, width, height);
      absoluteDifference(pixelsA.data, pixelsB.data, pixelsA.data);
      canvas.getContext('2d')?.putImageData(pixelsA, 0, 0);
      drawnAt = key;
    };

    const tick = (): void => {
      draw();
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [masterRef, followerRef]);

  return (
    <canvas
      ref={canvasRef}
      className="compare-difference-canvas"
      style={{ transform }}
      data-testid={testId}
      aria-label="Per-pixel difference of A and B"
      onClick={onClick}
    />
  );
}
