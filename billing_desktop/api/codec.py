"""Arguments and results of an :class:`~billing_desktop.api.operations.Operation` as JSON.

Both ends build the same pydantic models from the service function's type hints, so the wire
format follows the code: money and quantities travel as decimal strings ("12.50"), instants
as ISO 8601 with their offset, dates as ISO dates, enums as their values. Nothing is a float.
"""

from __future__ import annotations

import inspect
import typing
from functools import cache
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from billing_desktop.api.operations import Operation


def _plain(value: Any) -> Any:
    """What pydantic cannot serialise by itself (read-only mappings such as Rights.levels)."""
    if isinstance(value, MappingProxyType):
        return dict(value)
    raise TypeError(f"cannot send a {type(value).__name__} to the server")


def _model_name(operation: Operation) -> str:
    return "".join(part.capitalize() for part in operation.name.replace(".", "_").split("_"))


class OperationCodec:
    """Encodes a call's arguments (client) and decodes them (server); the same for results."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        hints = typing.get_type_hints(operation.function)
        self.signature = inspect.signature(operation.function)
        # The first two parameters are the unit of work and the caller: never sent.
        self.parameters = list(self.signature.parameters.values())[2:]
        fields: dict[str, Any] = {}
        for parameter in self.parameters:
            default = ... if parameter.default is inspect.Parameter.empty else parameter.default
            fields[parameter.name] = (hints[parameter.name], default)
        self.arguments: type[BaseModel] = create_model(
            f"{_model_name(operation)}Arguments",
            __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=False),
            **fields,
        )
        self.result_type: Any = hints["return"]
        self.result = TypeAdapter(self.result_type)

    # Client side --------------------------------------------------------------------------

    def encode_call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """JSON body of a call ``function(uow, caller, *args, **kwargs)``."""
        bound = self.signature.bind(None, None, *args, **kwargs)
        given = {
            name: value
            for name, value in bound.arguments.items()
            if name in {p.name for p in self.parameters}
        }
        model = self.arguments.model_validate(given)
        return model.model_dump(mode="json", include=set(given), fallback=_plain, warnings=False)

    def decode_result(self, content: bytes) -> Any:
        """The result from the response's JSON text. Strict JSON validation keeps a
        ``date | datetime`` exact (lax mode would turn a midnight instant into a date)."""
        return self.result.validate_json(content, strict=True)

    # Server side --------------------------------------------------------------------------

    def decode_call(self, model: BaseModel) -> dict[str, Any]:
        return {name: getattr(model, name) for name in model.model_fields_set}

    def encode_result(self, result: Any) -> Any:
        return self.result.dump_python(result, mode="json", fallback=_plain, warnings=False)


@cache
def codec_for(operation: Operation) -> OperationCodec:
    return OperationCodec(operation)
