/** Item names of the allocation game (fixed names, then Item_k). Pure. */
export const ITEM_NAMES = [
  'Apple',
  'Jewel',
  'Stone',
  'Quill',
  'Pencil',
  'Book',
  'Hat',
  'Camera',
  'Lamp',
  'Clock',
  'Vase',
  'Ring',
  'Map',
  'Compass',
  'Drum',
  'Flute',
] as const;

export function itemNames(m: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < m; i++) out.push(i < ITEM_NAMES.length ? ITEM_NAMES[i] : `Item_${i}`);
  return out;
}

export function agentId(seat: number): string {
  return `Agent_${seat + 1}`;
}
