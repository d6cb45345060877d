// A button whose action needs a second click within 3 s: no modal dialog in the middle of a game.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  id: string;
  disabled?: boolean;
  hidden?: boolean;
  onConfirm(): void;
  children: ComponentChildren;
}

export function ConfirmButton({ id, disabled, hidden, onConfirm, children }: Props) {
  const [armed, setArmed] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const click = () => {
    clearTimeout(timer.current);
    if (armed) {
      setArmed(false);
      return onConfirm();
    }
    setArmed(true);
    timer.current = setTimeout(() => setArmed(false), 3000);
  };
  return (
    <button id={id} data-testid={id} type="button" disabled={disabled} hidden={hidden} onClick={click}>
      {armed ? 'Sure? Click again' : children}
    </button>
  );
}
