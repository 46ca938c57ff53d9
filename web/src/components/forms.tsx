import {
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  useCallback,
  useId,
  useRef,
  useState,
} from 'react';
import { toUiError, type UiError } from '../api/errors';

/**
 * Runs an action (usually a mutation) and keeps its pending state and error. The error is shown
 * next to the field the service named (`extensions.field`), or above the form otherwise.
 */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const latest = useRef(action);
  latest.current = action;
  const run = useCallback(async (...args: A): Promise<T | undefined> => {
    setPending(true);
    setError(null);
    try {
      return await latest.current(...args);
    } catch (err) {
      setError(toUiError(err));
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  return { run, pending, error, setError };
}

type FieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> & {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  /** The action's error: shown here when it names this field. */
  error?: UiError | null;
  hint?: ReactNode;
};

/** A labelled input with its hint and its error, tied together for assistive technology. */
export function Field({ label, name, value, onChange, error, hint, ...input }: FieldProps) {
  const id = useId();
  const mine = error?.field === name ? error : null;
  const describedBy = [hint ? `${id}-hint` : '', mine ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        id={id}
        name={name}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={mine ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {mine && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {mine.message}
        </p>
      )}
    </div>
  );
}

/**
 * The password an action asks for unless this device signed in within the last 5 minutes (the
 * service's recent sign-in rule for factor and passkey changes).
 */
export function RecentPasswordField(props: Pick<FieldProps, 'value' | 'onChange' | 'error'>) {
  return (
    <Field
      label="Your password"
      name="password"
      type="password"
      autoComplete="current-password"
      hint="Needed unless you signed in within the last 5 minutes."
      {...props}
    />
  );
}

type SelectProps = {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  error?: UiError | null;
};

export function SelectField({ label, name, value, onChange, options, error }: SelectProps) {
  const id = useId();
  const mine = error?.field === name ? error : null;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={mine ? true : undefined}
        aria-describedby={mine ? `${id}-error` : undefined}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {mine && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {mine.message}
        </p>
      )}
    </div>
  );
}

/**
 * A form whose submit runs `onSubmit`; an error that names none of `fields` is shown at its top.
 */
export function Form({
  onSubmit,
  error,
  fields = [],
  children,
  label,
}: {
  onSubmit: () => void;
  error?: UiError | null;
  /** The fields shown in this form: their errors appear next to them instead. */
  fields?: string[];
  children: ReactNode;
  label?: string;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  const general = error && !(error.field && fields.includes(error.field)) ? error : null;
  return (
    <form onSubmit={submit} aria-label={label}>
      {general && (
        <p className="form-error" role="alert">
          {general.message}
        </p>
      )}
      {children}
    </form>
  );
}

/** A success message, announced politely. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

export function Submit({ pending, children }: { pending: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="primary" disabled={pending} aria-busy={pending || undefined}>
      {children}
    </button>
  );
}
