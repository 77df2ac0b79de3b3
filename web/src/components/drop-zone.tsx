import type { TFunction } from 'i18next';
import { useId, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './icons.js';

/** Bytes as people read them: "812 B", "14.2 kB", "3.1 MB" ("812 o", "14,2 ko" in French). */
function formatSize(bytes: number, language: string, t: TFunction): string {
  const [value, unit] =
    bytes < 1000 ? [bytes, 'byte'] : bytes < 1_000_000 ? [bytes / 1000, 'kilobyte'] : [bytes / 1_000_000, 'megabyte'];
  return t(`dropZone.units.${unit}`, {
    value: new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value),
  });
}

/**
 * A file picker that also takes a dropped file. The real control is the file input under it: it is focusable and
 * opens the picker with Enter or Space, the whole zone is its label (named by the title, described by the hint and
 * the chosen file), and the zone shows its focus ring.
 */
export function DropZone({
  label,
  hint,
  accept,
  file,
  onFile,
  testId,
}: {
  label: string;
  hint: string;
  accept?: string;
  file: File | null;
  onFile: (file: File | null) => void;
  testId?: string;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [dragging, setDragging] = useState(false);

  function handleDragOver(event: DragEvent<HTMLDivElement>) {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  }

  function handleDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) onFile(dropped);
  }

  return (
    <div
      className={`dropzone${dragging ? ' dropzone--active' : ''}${file ? ' dropzone--filled' : ''}`}
      onDragOver={handleDragOver}
      onDragLeave={(event) => {
        // Moving over the zone's own children is not leaving it.
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={handleDrop}
      data-testid={testId}
    >
      <input
        id={id}
        type="file"
        className="dropzone__input"
        accept={accept}
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-hint ${id}-file`}
        onChange={(event) => onFile(event.target.files?.[0] ?? null)}
        data-testid={testId ? `${testId}-input` : undefined}
      />
      <label htmlFor={id} className="dropzone__label">
        <Icon name={file ? 'file' : 'upload'} size={24} />
        <span className="dropzone__title" id={`${id}-title`}>
          {label}
        </span>
        <span className="dropzone__hint" id={`${id}-hint`}>
          {hint}
        </span>
        <span className="dropzone__file" id={`${id}-file`} data-testid={testId ? `${testId}-file` : undefined}>
          {file
            ? t('dropZone.chosen', { name: file.name, size: formatSize(file.size, i18n.language, t) })
            : t('dropZone.prompt')}
        </span>
      </label>
    </div>
  );
}
