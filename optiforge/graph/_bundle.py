"""``@bundle``: turn a Python function (sync or async) into a traced operator."""

from __future__ import annotations

import functools
import inspect
import textwrap
from collections.abc import Callable
from typing import Any, TypeVar, overload

from optiforge.graph._nodes import ExceptionNode, MessageNode, Node, Operator, node

F = TypeVar("F", bound=Callable[..., Any])


@overload
def bundle(fn: F, /) -> F: ...


@overload
def bundle(
    fn: None = None, /, *, name: str | None = None, description: str | None = None,
    catch: bool = True,
) -> Callable[[F], F]: ...


def bundle(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    catch: bool = True,
) -> Any:
    """Trace calls of a function: arguments become input nodes, the result a :class:`MessageNode`.

    The operator records the function's name, its docstring (or ``description``)
    and its source code, which optimizers show to the model. Arguments may be
    Nodes or plain values (wrapped as constants); the function receives plain
    values. With ``catch=True`` (default) an exception inside the function returns
    an :class:`ExceptionNode` carrying the error text instead of raising, and a call
    that receives an ExceptionNode propagates it without running. Works on ``async
    def`` functions too (the wrapper is then a coroutine function).
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        op = Operator(
            name=name or func.__name__,
            description=(description or inspect.getdoc(func) or "").strip(),
            source=_source_of(func),
        )
        signature = inspect.signature(func)

        def prepare(args: tuple[Any, ...], kwargs: dict[str, Any]):
            inputs = _bind_inputs(signature, args, kwargs)
            failed = next((n for n in inputs.values() if isinstance(n, ExceptionNode)), None)
            plain_args = tuple(_unwrap(a) for a in args)
            plain_kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
            return inputs, failed, plain_args, plain_kwargs

        def upstream_failure(failed: ExceptionNode, inputs: dict[str, Node]) -> ExceptionNode:
            err = RuntimeError(f"input from `{failed.name}` failed: {failed.error_text}")
            return ExceptionNode(err, operator=op, inputs=inputs)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Node:
                inputs, failed, a, kw = prepare(args, kwargs)
                if failed is not None:
                    return upstream_failure(failed, inputs)
                try:
                    result = await func(*a, **kw)
                except Exception as exc:
                    if not catch:
                        raise
                    return ExceptionNode(exc, operator=op, inputs=inputs)
                return MessageNode(_unwrap(result), operator=op, inputs=inputs)

            async_wrapper.operator = op  # type: ignore[attr-defined]
            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Node:
            inputs, failed, a, kw = prepare(args, kwargs)
            if failed is not None:
                return upstream_failure(failed, inputs)
            try:
                result = func(*a, **kw)
            except Exception as exc:
                if not catch:
                    raise
                return ExceptionNode(exc, operator=op, inputs=inputs)
            return MessageNode(_unwrap(result), operator=op, inputs=inputs)

        wrapper.operator = op  # type: ignore[attr-defined]
        return wrapper

    if fn is not None:
        return decorate(fn)
    return decorate


def _unwrap(value: Any) -> Any:
    if isinstance(value, Node):
        return value.value
    if isinstance(value, list | tuple) and any(isinstance(v, Node) for v in value):
        return type(value)(_unwrap(v) for v in value)
    if isinstance(value, dict) and any(isinstance(v, Node) for v in value.values()):
        return {k: _unwrap(v) for k, v in value.items()}
    return value


def _bind_inputs(sig: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Node]:
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError:
        # let the function itself raise the familiar error message
        return {f"arg{i}": node(a) for i, a in enumerate(args)} | {k: node(v) for k, v in kwargs.items()}
    inputs: dict[str, Node] = {}
    for pname, value in bound.arguments.items():
        kind = sig.parameters[pname].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            for i, v in enumerate(value):
                inputs[f"{pname}{i}"] = node(v)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            for k, v in value.items():
                inputs[k] = node(v)
        elif isinstance(value, list | tuple) and any(isinstance(v, Node) for v in value):
            for i, v in enumerate(value):
                inputs[f"{pname}{i}"] = node(v)
        else:
            inputs[pname] = node(value)
    return inputs


def _source_of(func: Callable[..., Any]) -> str:
    try:
        src = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return ""
    lines = src.splitlines()
    # drop decorator lines: the model needs the function, not our tracing machinery
    for i, line in enumerate(lines):
        if line.startswith(("def ", "async def ")):
            return "\n".join(lines[i:])
    return "\n".join(lines)
