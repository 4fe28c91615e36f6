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
}

interface Props {
  readonly option: EChartsCoreOption;
  readonly label: string;
  readonly dark: boolean;
  readonly height: number;
  readonly onClick?: (click: ChartClick) => void;
  /** Called once the chart has finished drawing its current option. */
  readonly onDrawn?: () => void;
  readonly testId?: string;
}

export function Chart({ option, label, dark, height, onClick, onDrawn, testId }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);
  const handlers = useRef({ onClick, onDrawn });
  handlers.current = { onClick, onDrawn };

  useEffect(() => {
    const c = echarts.init(el.current!, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => {
      const params = p as { name: string; seriesName?: string; dataIndex: number };
      handlers.current.onClick?.({ name: params.name, ...(params.seriesName !== undefined && { seriesName: params.seriesName }), dataIndex: params.dataIndex });
    });
    c.on('finished', () => handlers.current.onDrawn?.());
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(el.current!);
    return () => {
      resize.disconnect();
      c.dispose();
    };
  }, [dark]);

  useEffect(() => {
    chart.current?.setOption(
      { backgroundColor: 'transparent', aria: { enabled: true }, tooltip: { renderMode: 'richText', confine: true }, animation: false, ...option },
      { notMerge: true },
    );
  }, [option, dark]);

  return <div ref={el} class="chart" role="img" aria-label={label} data-testid={testId} style={{ height: `${height}px` }} />;
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
