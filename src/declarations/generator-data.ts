/**
 * The tables behind the synthetic trade generator: real sea ports (UN/LOCODE) by country, goods by HS 2022
 * subheading with plausible unit values and masses, and the pieces of trader names in the scripts of each country.
 * Figures are orders of magnitude from public trade statistics (UN Comtrade unit values), not any real trader's.
 */

/** Sea ports by ISO 3166-1 alpha-2 country; the first is the main one. */
export const PORTS: Readonly<Record<string, readonly string[]>> = {
  CN: ['CNSHA', 'CNNGB', 'CNYTN', 'CNTAO', 'CNXMN'],
  SG: ['SGSIN'],
  MY: ['MYPKG', 'MYTPP'],
  VN: ['VNSGN', 'VNHPH'],
  TH: ['THLCH', 'THBKK'],
  ID: ['IDTPP', 'IDSUB'],
  IN: ['INNSA', 'INMUN', 'INMAA'],
  BD: ['BDCGP'],
  PK: ['PKKHI'],
  LK: ['LKCMB'],
  KR: ['KRPUS', 'KRINC'],
  JP: ['JPTYO', 'JPYOK', 'JPUKB'],
  TW: ['TWKHH', 'TWTXG'],
  PH: ['PHMNL'],
  AE: ['AEJEA', 'AEAUH'],
  TR: ['TRMER', 'TRAMR'],
  EG: ['EGPSD', 'EGALY'],
  KE: ['KEMBA'],
  TZ: ['TZDAR'],
  ZA: ['ZADUR', 'ZACPT'],
  NG: ['NGAPP'],
  GH: ['GHTEM'],
  CI: ['CIABJ'],
  MA: ['MAPTM', 'MACAS'],
  NL: ['NLRTM', 'NLAMS'],
  BE: ['BEANR', 'BEZEE'],
  DE: ['DEHAM', 'DEBRV'],
  FR: ['FRLEH', 'FRMRS'],
  ES: ['ESVLC', 'ESALG'],
  IT: ['ITGOA', 'ITSPE'],
  GR: ['GRPIR'],
  PL: ['PLGDN'],
  GB: ['GBFXT', 'GBSOU'],
  US: ['USLAX', 'USLGB', 'USNYC', 'USSAV'],
  CA: ['CAVAN', 'CAMTR'],
  MX: ['MXZLO', 'MXVER'],
  BR: ['BRSSZ', 'BRPNG'],
  CO: ['COCTG', 'COBUN'],
  EC: ['ECGYE'],
  CL: ['CLSAI', 'CLVAP'],
  CR: ['CRMOB'],
  AU: ['AUSYD', 'AUMEL'],
  BG: ['BGVAR'],
};

/** Main currency of a country, where the sample rates carry it; others invoice in USD or EUR. */
export const LOCAL_CURRENCY: Readonly<Record<string, string>> = {
  CN: 'CNY',
  JP: 'JPY',
  GB: 'GBP',
  IN: 'INR',
  KR: 'KRW',
  SG: 'SGD',
  KE: 'KES',
  ZA: 'ZAR',
  TR: 'TRY',
  BR: 'BRL',
  TH: 'THB',
  MY: 'MYR',
  ID: 'IDR',
  AU: 'AUD',
  CA: 'CAD',
  MX: 'MXN',
  PL: 'PLN',
  BG: 'BGN',
};

export const EU = new Set(['NL', 'BE', 'DE', 'FR', 'ES', 'IT', 'GR', 'PL', 'BG']);

/** One kind of goods: its HS 2022 subheading, unit, and ranges per unit (value in EUR, mass in kg). */
export interface GoodsProfile {
  readonly hs: string;
  readonly description: string;
  /** Rec. 20 unit the quantity is declared in: KGM for bulk goods, C62 (pieces), NPR (pairs), LTR. */
  readonly unit: 'KGM' | 'C62' | 'NPR' | 'LTR';
  /** Units per goods item. */
  readonly quantity: readonly [number, number];
  /** Net mass of one unit, kg. */
  readonly massPerUnit: readonly [number, number];
  /** Customs value of one unit, EUR. */
  readonly valuePerUnit: readonly [number, number];
  /** Countries the goods typically come from. */
  readonly origins: readonly string[];
}

export const GOODS: readonly GoodsProfile[] = [
  {
    hs: '851713',
    description: 'Smartphones',
    unit: 'C62',
    quantity: [100, 5000],
    massPerUnit: [0.15, 0.3],
    valuePerUnit: [120, 650],
    origins: ['CN', 'VN', 'KR', 'IN'],
  },
  {
    hs: '847130',
    description: 'Portable computers (laptops)',
    unit: 'C62',
    quantity: [50, 2000],
    massPerUnit: [1.2, 2.8],
    valuePerUnit: [280, 1400],
    origins: ['CN', 'TW', 'VN'],
  },
  {
    hs: '852872',
    description: 'Colour television receivers',
    unit: 'C62',
    quantity: [20, 800],
    massPerUnit: [7, 25],
    valuePerUnit: [140, 900],
    origins: ['CN', 'KR', 'MX', 'TR'],
  },
  {
    hs: '854143',
    description: 'Photovoltaic cells assembled in modules',
    unit: 'C62',
    quantity: [100, 3000],
    massPerUnit: [18, 26],
    valuePerUnit: [60, 180],
    origins: ['CN', 'VN', 'MY'],
  },
  {
    hs: '850760',
    description: 'Lithium-ion accumulators',
    unit: 'KGM',
    quantity: [200, 8000],
    massPerUnit: [1, 1],
    valuePerUnit: [12, 40],
    origins: ['CN', 'KR', 'JP'],
  },
  {
    hs: '610910',
    description: 'T-shirts, singlets and other vests, of cotton, knitted',
    unit: 'C62',
    quantity: [500, 20000],
    massPerUnit: [0.15, 0.25],
    valuePerUnit: [1.8, 7],
    origins: ['BD', 'CN', 'IN', 'TR', 'VN', 'PK'],
  },
  {
    hs: '620342',
    description: "Men's trousers of cotton",
    unit: 'C62',
    quantity: [300, 10000],
    massPerUnit: [0.4, 0.8],
    valuePerUnit: [5, 18],
    origins: ['BD', 'CN', 'PK', 'VN'],
  },
  {
    hs: '640399',
    description: 'Footwear with outer soles of rubber and uppers of leather',
    unit: 'NPR',
    quantity: [200, 6000],
    massPerUnit: [0.8, 1.4],
    valuePerUnit: [12, 60],
    origins: ['CN', 'VN', 'IT', 'IN'],
  },
  {
    hs: '090111',
    description: 'Coffee, not roasted, not decaffeinated',
    unit: 'KGM',
    quantity: [5000, 40000],
    massPerUnit: [1, 1],
    valuePerUnit: [2.5, 6],
    origins: ['BR', 'VN', 'CO', 'KE'],
  },
  {
    hs: '090240',
    description: 'Black tea, in packings of more than 3 kg',
    unit: 'KGM',
    quantity: [2000, 20000],
    massPerUnit: [1, 1],
    valuePerUnit: [2, 6],
    origins: ['KE', 'LK', 'IN'],
  },
  {
    hs: '080390',
    description: 'Bananas, fresh',
    unit: 'KGM',
    quantity: [10000, 22000],
    massPerUnit: [1, 1],
    valuePerUnit: [0.6, 1.1],
    origins: ['EC', 'CO', 'CR', 'PH'],
  },
  {
    hs: '180100',
    description: 'Cocoa beans, raw',
    unit: 'KGM',
    quantity: [10000, 25000],
    massPerUnit: [1, 1],
    valuePerUnit: [2, 8],
    origins: ['CI', 'GH', 'EC', 'NG'],
  },
  {
    hs: '060311',
    description: 'Cut roses, fresh',
    unit: 'KGM',
    quantity: [500, 5000],
    massPerUnit: [1, 1],
    valuePerUnit: [2, 8],
    origins: ['KE', 'CO', 'EC'],
  },
  {
    hs: '030617',
    description: 'Frozen shrimps and prawns',
    unit: 'KGM',
    quantity: [5000, 22000],
    massPerUnit: [1, 1],
    valuePerUnit: [5, 14],
    origins: ['IN', 'VN', 'EC', 'TH', 'ID'],
  },
  {
    hs: '100630',
    description: 'Semi-milled or wholly milled rice',
    unit: 'KGM',
    quantity: [10000, 25000],
    massPerUnit: [1, 1],
    valuePerUnit: [0.4, 1.2],
    origins: ['IN', 'TH', 'VN', 'PK'],
  },
  {
    hs: '151110',
    description: 'Crude palm oil',
    unit: 'KGM',
    quantity: [15000, 25000],
    massPerUnit: [1, 1],
    valuePerUnit: [0.7, 1.1],
    origins: ['ID', 'MY'],
  },
  {
    hs: '220421',
    description: 'Wine of fresh grapes, in containers of 2 l or less',
    unit: 'LTR',
    quantity: [1000, 20000],
    massPerUnit: [1.25, 1.45],
    valuePerUnit: [2, 18],
    origins: ['FR', 'IT', 'ES', 'CL', 'ZA', 'AU'],
  },
  {
    hs: '870323',
    description: 'Motor cars, spark-ignition, 1,500–3,000 cm³',
    unit: 'C62',
    quantity: [1, 40],
    massPerUnit: [1200, 1800],
    valuePerUnit: [15000, 45000],
    origins: ['DE', 'JP', 'KR', 'MX', 'US'],
  },
  {
    hs: '870380',
    description: 'Motor cars with only an electric motor for propulsion',
    unit: 'C62',
    quantity: [1, 40],
    massPerUnit: [1600, 2400],
    valuePerUnit: [25000, 70000],
    origins: ['CN', 'DE', 'US', 'KR'],
  },
  {
    hs: '401110',
    description: 'New pneumatic tyres of rubber, for motor cars',
    unit: 'C62',
    quantity: [200, 3000],
    massPerUnit: [7, 12],
    valuePerUnit: [30, 120],
    origins: ['CN', 'TH', 'KR', 'JP'],
  },
  {
    hs: '300490',
    description: 'Medicaments in measured doses',
    unit: 'KGM',
    quantity: [50, 3000],
    massPerUnit: [1, 1],
    valuePerUnit: [20, 400],
    origins: ['IN', 'DE', 'US', 'BE'],
  },
  {
    hs: '940161',
    description: 'Upholstered seats with wooden frames',
    unit: 'C62',
    quantity: [20, 600],
    massPerUnit: [15, 40],
    valuePerUnit: [80, 400],
    origins: ['CN', 'VN', 'PL', 'IT'],
  },
  {
    hs: '950300',
    description: 'Toys, scale models and puzzles',
    unit: 'KGM',
    quantity: [500, 10000],
    massPerUnit: [1, 1],
    valuePerUnit: [5, 20],
    origins: ['CN', 'VN'],
  },
  {
    hs: '720839',
    description: 'Hot-rolled flat iron or steel in coils, under 3 mm',
    unit: 'KGM',
    quantity: [18000, 25000],
    massPerUnit: [1, 1],
    valuePerUnit: [0.5, 0.9],
    origins: ['CN', 'IN', 'TR', 'KR', 'JP'],
  },
  {
    hs: '760110',
    description: 'Unwrought aluminium, not alloyed',
    unit: 'KGM',
    quantity: [18000, 25000],
    massPerUnit: [1, 1],
    valuePerUnit: [2, 3],
    origins: ['AE', 'IN', 'ZA'],
  },
  {
    hs: '392690',
    description: 'Other articles of plastics',
    unit: 'KGM',
    quantity: [500, 10000],
    massPerUnit: [1, 1],
    valuePerUnit: [3, 15],
    origins: ['CN', 'VN', 'TR'],
  },
  {
    hs: '711319',
    description: 'Articles of jewellery of precious metal other than silver',
    unit: 'KGM',
    quantity: [1, 20],
    massPerUnit: [1, 1],
    valuePerUnit: [20000, 60000],
    origins: ['IN', 'IT', 'TH', 'TR'],
  },
  {
    hs: '240120',
    description: 'Tobacco, partly or wholly stemmed',
    unit: 'KGM',
    quantity: [5000, 20000],
    massPerUnit: [1, 1],
    valuePerUnit: [3, 8],
    origins: ['BR', 'IN'],
  },
];

/** Trader-name parts per country, in the country's script, so that screening and search meet real scripts. */
export const NAME_PARTS: Readonly<
  Record<string, { readonly parts: readonly (readonly string[])[]; readonly join: string }>
> = {
  CN: {
    parts: [
      ['深圳', '上海', '宁波', '广州', '厦门', '青岛'],
      ['华信', '远航', '金桥', '恒达', '新世纪', '东方'],
      ['贸易有限公司', '电子有限公司', '进出口有限公司', '实业有限公司'],
    ],
    join: '',
  },
  TW: {
    parts: [
      ['台灣', '高雄', '台中'],
      ['聯合', '宏達', '精密'],
      ['股份有限公司', '企業有限公司'],
    ],
    join: '',
  },
  JP: {
    parts: [['株式会社'], ['山田', '東洋', '日本', '大和', '三協'], ['商事', '電機', '物産', '精工']],
    join: '',
  },
  KR: {
    parts: [['대한', '한빛', '서울', '부산', '동방'], ['무역', '전자', '물산', '산업'], ['주식회사']],
    join: ' ',
  },
  TH: {
    parts: [['บริษัท'], ['สยาม', 'กรุงเทพ', 'เจริญ'], ['เทรดดิ้ง จำกัด', 'อินดัสตรี จำกัด']],
    join: ' ',
  },
  AE: {
    parts: [['شركة'], ['الخليج', 'النور', 'الأمل', 'الصحراء'], ['للتجارة العامة', 'للاستيراد والتصدير']],
    join: ' ',
  },
  EG: {
    parts: [['شركة'], ['النيل', 'الدلتا', 'الإسكندرية'], ['للتجارة', 'للصناعات']],
    join: ' ',
  },
  GR: {
    parts: [
      ['Ελληνική', 'Αιγαίο', 'Πειραιώς'],
      ['Εμπορική', 'Ναυτιλιακή', 'Βιομηχανική'],
      ['Α.Ε.', 'Ε.Π.Ε.'],
    ],
    join: ' ',
  },
  BG: {
    parts: [
      ['Балкан', 'Тракия', 'Черноморие', 'София'],
      ['Трейд', 'Логистик', 'Импорт'],
      ['ЕООД', 'АД'],
    ],
    join: ' ',
  },
  DE: {
    parts: [
      ['Müller', 'Schäfer', 'Weiß', 'Hoffmann', 'Krüger'],
      ['& Söhne', 'Handels', 'Logistik'],
      ['GmbH', 'AG', 'KG'],
    ],
    join: ' ',
  },
  FR: {
    parts: [
      ['Société', 'Compagnie', 'Établissements'],
      ['Lefèvre', 'Girard', 'Dubois', 'Mercier'],
      ['SARL', 'SA', 'SAS'],
    ],
    join: ' ',
  },
  VN: {
    parts: [
      ['Công ty TNHH'],
      ['Thương mại', 'Xuất nhập khẩu', 'Sản xuất'],
      ['Sài Gòn', 'Hải Phòng', 'Phú Mỹ', 'Đông Á'],
    ],
    join: ' ',
  },
  TR: {
    parts: [
      ['Özdemir', 'Yılmaz', 'Çelik', 'Şahin'],
      ['Tekstil', 'Dış Ticaret', 'Sanayi'],
      ['A.Ş.', 'Ltd. Şti.'],
    ],
    join: ' ',
  },
  BR: {
    parts: [
      ['Comércio', 'Exportadora', 'Indústria'],
      ['São Paulo', 'Paraná', 'Santos', 'Minas'],
      ['Ltda.', 'S.A.'],
    ],
    join: ' ',
  },
  ES: {
    parts: [
      ['Bodegas', 'Comercial', 'Exportaciones'],
      ['Peñalver', 'Muñoz', 'Gómez', 'Ibáñez'],
      ['S.L.', 'S.A.'],
    ],
    join: ' ',
  },
  PL: {
    parts: [
      ['Przedsiębiorstwo', 'Zakłady'],
      ['Łódzkie', 'Gdańskie', 'Wrocławskie'],
      ['Sp. z o.o.', 'S.A.'],
    ],
    join: ' ',
  },
};

/** Latin-script parts for every other country. */
export const DEFAULT_NAME_PARTS = {
  parts: [
    ['Atlas', 'Meridian', 'Horizon', 'Coastal', 'Summit', 'Unity', 'Pioneer', 'Evergreen', 'Harbour', 'Sunrise'],
    ['Trading', 'Imports', 'Exports', 'Logistics', 'Industries', 'Commodities', 'Supply'],
    ['Ltd', 'Co.', 'LLC', 'Inc.', 'Pty Ltd', 'PLC'],
  ],
  join: ' ',
} as const;

/** Owner codes of real container lines (ISO 6346 owner prefixes, registered with the BIC). */
export const CONTAINER_OWNERS = ['MSC', 'MAE', 'CMA', 'CSQ', 'HLX', 'ONE', 'EGH', 'YML', 'ZIM', 'HMM', 'OOL', 'TGH'];

/** Flags of convenience and large registries, for vessel nationality. */
export const FLAGS = ['PA', 'LR', 'MH', 'SG', 'MT', 'HK', 'BS', 'GR', 'CN', 'DK'];

/** Hubs that goods are transshipped through to hide the true route. */
export const HUBS = ['AEJEA', 'SGSIN', 'MYPKG', 'LKCMB', 'MAPTM', 'TRMER', 'EGPSD'];
