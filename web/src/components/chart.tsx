// An ECharts chart (imported piece by piece to keep the bundle small). Labels are drawn on canvas and the
// tooltip renders as canvas rich text, so no finding text ever becomes markup.
import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export interface ChartClick {
  readonly name: string;
  readonly seriesName?: string;
  readonly dataIndex: number;
  /** The clicked datum: a number, or `[x, y]` on a time axis. */
  readonly value?: unknown;
}

interface Props {
  readonly option: EChartsCoreOption;
  readonly label: string;
  readonly dark: boolean;
  readonly height: number;
  readonly onClick?: (click: ChartClick) => void;
  readonly testId?: string;
  /** While the data is on its way: no chart is set up yet (setting one up costs as much as drawing it). */
  readonly pending?: boolean;
}

/**
 * The container says `data-drawn="true"` once the chart has finished drawing its current option, so tests and
 * the benchmark can tell when a view is fully drawn.
 */
export function Chart({ option, label, dark, height, onClick, testId, pending = false }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);
  const handlers = useRef({ onClick });
  handlers.current = { onClick };

  useEffect(() => {
    if (pending) return;
    const c = echarts.init(el.current!, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => {
      const params = p as { name: string; seriesName?: string; dataIndex: number; value?: unknown };
      handlers.current.onClick?.({ name: params.name, ...(params.seriesName !== undefined && { seriesName: params.seriesName }), dataIndex: params.dataIndex, value: params.value });
    });
    c.on('finished', () => {
      if (el.current) el.current.dataset['drawn'] = 'true';
    });
    // The observer reports the initial size at once; only later changes need a redraw.
    let first = true;
    const resize = new ResizeObserver(() => {
      if (first) first = false;
      else c.resize();
    });
    resize.observe(el.current!);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = undefined;
    };
  }, [dark, pending]);

  useEffect(() => {
    if (el.current) el.current.dataset['drawn'] = 'false';
    chart.current?.setOption(
      { backgroundColor: 'transparent', aria: { enabled: true }, tooltip: { renderMode: 'richText', confine: true }, animation: false, ...option },
      { notMerge: true },
    );
  }, [option, dark, pending]);

  return <div ref={el} class="chart" role="img" aria-label={label} aria-busy={pending} data-testid={testId} style={{ height: `${height}px` }} />;
}

/** A horizontal bar chart of the top values of a field, largest first. */
export function topBarsOption(names: readonly string[], counts: readonly number[], color: string): EChartsCoreOption {
  return {
    grid: { left: '42%', right: 40, top: 4, bottom: 4 },
    xAxis: { type: 'value', show: false },
    yAxis: {
      type: 'category',
      inverse: true,
      data: names,
      axisTick: { show: false },
      axisLabel: { width: 150, overflow: 'truncate', fontSize: 11 },
    },
    series: [{ type: 'bar', data: counts, itemStyle: { color }, barMaxWidth: 16, cursor: 'pointer', label: { show: true, position: 'right', fontSize: 11 } }],
  };
}
