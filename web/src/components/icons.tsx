/** Line icons for the navigation, drawn on a 20×20 grid in the current text colour. */
const PATHS: Record<string, string> = {
  node: 'M3 4h14v5H3zM3 11h14v5H3zM6 6.5h.01M6 13.5h.01',
  users:
    'M7.5 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM2 17c0-3 2.5-5 5.5-5s5.5 2 5.5 5M13.5 3.5a3 3 0 0 1 0 5.5M15 12.3c1.8.6 3 2.3 3 4.7',
  tokens: 'M12.5 7.5a4 4 0 1 1-1.2 2.8L3 18.5V15h2.5v-2H8l1.2-1.3',
  audit: 'M5 2.5h7l3.5 3.5v11.5H5zM12 2.5V6h3.5M8 10h5M8 13h5',
  declarations: 'M5 2.5h10v15H5zM8 6.5h4M8 10h4M8 13.5h2',
  hs: 'M3 3h6v4H3zM6 7v9.5h4M6 11.5h4M10 10h7v3h-7zM10 15h7v3h-7z',
  risk: 'M10 3 18 17H2zM10 8.5v4M10 14.8v.01',
  clearance: 'M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM6.5 10.2l2.3 2.3 4.7-4.8',
  agreements: 'M4 16.5h12M5.5 13.5l8-8 2 2-8 8H5.5zM12 7l2 2',
  exchange: 'M3 7h12l-3-3M17 13H5l3 3',
  outbox: 'M3 11v6h14v-6M10 13V3M6.5 6.5 10 3l3.5 3.5',
  inbox: 'M3 11v6h14v-6M10 3v10M6.5 9.5 10 13l3.5-3.5',
  partners:
    'M7 6a2 2 0 1 1-4 0 2 2 0 0 1 4 0zM17 6a2 2 0 1 1-4 0 2 2 0 0 1 4 0zM12 15a2 2 0 1 1-4 0 2 2 0 0 1 4 0zM7 6h6M6 8l3 5M14 8l-3 5',
  arrivals: 'M2 13h16l-2 4H4zM5 13V8h6v5M11 10h4l2 3M7 5.5h2',
  mirror: 'M10 2.5v15M3 7h4v8H3zM13 4h4v11h-4z',
  log: 'M8 6H5.5a3 3 0 0 0 0 6H8M12 6h2.5a3 3 0 0 1 0 6H12M7 9h6M4 16h12',
  intelligence: 'M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM10 14a4 4 0 1 0 0-8M10 10l5-5',
  assistance:
    'M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM10 13.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM4.3 4.3l3.2 3.2M15.7 4.3l-3.2 3.2M4.3 15.7l3.2-3.2M15.7 15.7l-3.2-3.2',
  training: 'M1.5 8 10 4l8.5 4-8.5 4zM5 9.7V14c1.5 1.4 3.2 2 5 2s3.5-.6 5-2V9.7M18.5 8v5',
  upload: 'M10 13V3M6 7l4-4 4 4M3 13v4h14v-4',
  file: 'M5 2.5h7l3.5 3.5v11.5H5zM12 2.5V6h3.5M7.5 12l2 2 3.5-4',
  docs: 'M4 3.5h8.5L16 7v9.5H4zM8 8h4M8 11h4M8 14h2',
  logout: 'M8 17H4V3h4M13 14l4-4-4-4M17 10H8',
  menu: 'M3 5.5h14M3 10h14M3 14.5h14',
  external: 'M11 3h6v6M17 3l-8 8M15 12v5H3V5h5',
};

export function Icon({ name, size = 18 }: { name: keyof typeof PATHS | string; size?: number }) {
  return (
    <svg
      className="icon"
      viewBox="0 0 20 20"
      width={size}
      height={size}
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={PATHS[name] ?? ''} />
    </svg>
  );
}
