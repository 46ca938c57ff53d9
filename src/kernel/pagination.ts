import { badInput } from './errors.js';

export const PAGE_SIZE_MIN = 1;
export const PAGE_SIZE_MAX = 100;
export const PAGE_SIZE_DEFAULT = 20;

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

/** Validates 1-based page numbers and page sizes of 1–100. */
export function parsePage(page: number, pageSize: number): PageRequest {
  if (!Number.isInteger(page) || page < 1) throw badInput('page', 'page must be 1 or more');
  if (!Number.isInteger(pageSize) || pageSize < PAGE_SIZE_MIN || pageSize > PAGE_SIZE_MAX) {
    throw badInput('pageSize', `pageSize must be between ${PAGE_SIZE_MIN} and ${PAGE_SIZE_MAX}`);
  }
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  totalItems: number;
  totalPages: number;
}

export const toPage = <T>(items: T[], totalItems: number, req: PageRequest): Page<T> => ({
  items,
  page: req.page,
  pageSize: req.pageSize,
  totalItems,
  totalPages: Math.ceil(totalItems / req.pageSize),
});

/** Escapes LIKE wildcards so user input matches literally. */
export const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
