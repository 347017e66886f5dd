/** Colours shared by canvas and chart code (CSS has the same values as custom properties). */
export const THEME = {
  bg: '#0b0e13',
  panel: '#10141b',
  grid: '#1a202a',
  border: '#222a36',
  text: '#c5ccd6',
  muted: '#7d8694',
  up: '#26a69a',
  down: '#ef5350',
  upFill: 'rgba(38,166,154,0.10)',
  downFill: 'rgba(239,83,80,0.10)',
  upVolume: 'rgba(38,166,154,0.45)',
  downVolume: 'rgba(239,83,80,0.45)',
  ws: '#58a6ff',
  sse: '#d29922',
} as const;
