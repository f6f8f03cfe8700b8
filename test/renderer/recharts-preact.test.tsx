import { cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Label,
  Legend,
  Tooltip,
  XAxis,
  YAxis,
} from '../../src/renderer/src/components/recharts';

afterEach(cleanup);

describe('recharts on Preact (through components/recharts.ts)', () => {
  it('draws a chart whose elements went through its store, and throws nothing', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const data = [
      { name: 'Veo 3', ms: 1200 },
      { name: 'Kling', ms: 900 },
    ];
    const { container } = render(
      <BarChart width={480} height={300} data={data}>
        <CartesianGrid />
        <XAxis dataKey="name">
          <Label value="Model" position="insideBottom" />
        </XAxis>
        <YAxis label={<Label value="Time" angle={-90} />} />
        <Tooltip />
        <Legend />
        <Bar dataKey="ms" name="Generation time" />
      </BarChart>,
    );
    expect(container.querySelectorAll('.recharts-bar-rectangle').length).toBe(2);
    expect(container.textContent).toContain('Generation time');
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });
});
