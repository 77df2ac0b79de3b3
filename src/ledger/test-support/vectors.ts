/** Loads the transparency-dev/merkle test vectors from ../shared/data/merkle-rfc6962 (see its SOURCE.md). */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTOR_ROOT = fileURLToPath(new URL('../../../../shared/data/merkle-rfc6962/', import.meta.url));

export interface InclusionVector {
  readonly file: string;
  readonly leafIdx: number;
  readonly treeSize: number;
  readonly root: Uint8Array;
  readonly leafHash: Uint8Array;
  readonly proof: Uint8Array[];
  readonly desc: string;
  readonly wantErr: boolean;
}

export interface ConsistencyVector {
  readonly file: string;
  readonly size1: number;
  readonly size2: number;
  readonly root1: Uint8Array;
  readonly root2: Uint8Array;
  readonly proof: Uint8Array[];
  readonly desc: string;
  readonly wantErr: boolean;
}

export interface ReferenceTree {
  readonly leafInputsHex: string[];
  readonly nodeHashesHexByLevel: string[][];
  readonly rootHashesHexByTreeSize: string[];
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** Every JSON file under a folder. readdir, not a glob: some names contain '[' and ']'. */
function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? jsonFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
    )
    .sort();
}

function load<T>(kind: string, map: (raw: Record<string, unknown>) => T): (T & { file: string })[] {
  return jsonFiles(join(VECTOR_ROOT, kind)).map((path) => ({
    ...map(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>),
    file: relative(VECTOR_ROOT, path),
  }));
}

export function inclusionVectors(): InclusionVector[] {
  return load('inclusion', (v) => ({
    leafIdx: v.leafIdx as number,
    treeSize: v.treeSize as number,
    root: b64(v.root as string),
    leafHash: b64(v.leafHash as string),
    proof: ((v.proof as string[] | null) ?? []).map(b64),
    desc: v.desc as string,
    wantErr: v.wantErr as boolean,
  }));
}

export function consistencyVectors(): ConsistencyVector[] {
  return load('consistency', (v) => ({
    size1: v.size1 as number,
    size2: v.size2 as number,
    root1: b64(v.root1 as string),
    root2: b64(v.root2 as string),
    proof: ((v.proof as string[] | null) ?? []).map(b64),
    desc: v.desc as string,
    wantErr: v.wantErr as boolean,
  }));
}

export function referenceTree(): ReferenceTree {
  return JSON.parse(readFileSync(join(VECTOR_ROOT, 'reference-tree.json'), 'utf8')) as ReferenceTree;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
