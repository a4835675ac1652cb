"""The portable type registry of metadata V14 (`scale-info`'s `PortableRegistry`), built from descriptors.

`TypeRegistry.register(codec)` gives a type its id (registering its children first) and reuses the id
of any structurally identical type, so each type appears once. `encode()` writes the registry as
SCALE, in the exact layout stock Substrate clients decode:

    PortableType { id: Compact<u32>, ty: Type { path: Vec<Str>, type_params: Vec<TypeParameter>,
                   type_def: TypeDef, docs: Vec<Str> } }
"""

from __future__ import annotations

from typing import Any

from phalanx.codec.compact import encode_compact
from phalanx.codec.types import Codec, FieldInfo, TypeInfo

_PRIMITIVES = {
    "bool": 0, "char": 1, "str": 2, "u8": 3, "u16": 4, "u32": 5, "u64": 6, "u128": 7, "u256": 8,
    "i8": 9, "i16": 10, "i32": 11, "i64": 12, "i128": 13, "i256": 14,
}  # fmt: skip
_KINDS = {"composite": 0, "variant": 1, "sequence": 2, "array": 3, "tuple": 4, "primitive": 5, "compact": 6}


def _str(buf: bytearray, text: str) -> None:
    raw = text.encode()
    buf += encode_compact(len(raw))
    buf += raw


def _strs(buf: bytearray, texts: tuple[str, ...]) -> None:
    buf += encode_compact(len(texts))
    for t in texts:
        _str(buf, t)


def _opt_str(buf: bytearray, text: str | None) -> None:
    if text is None:
        buf.append(0)
    else:
        buf.append(1)
        _str(buf, text)


class TypeRegistry:
    def __init__(self) -> None:
        self._types: list[TypeInfo] = []
        self._ids_by_key: dict[Any, int] = {}
        self._ids_by_obj: dict[int, int] = {}
        self._keep: list[Codec[Any]] = []  # keeps registered descriptors alive so id() stays unique
        self._resolved: list[Any] = []

    def __len__(self) -> int:
        return len(self._types)

    def register(self, codec: Codec[Any]) -> int:
        """The type id of `codec`, registering it (and the types it contains) if new."""
        cached = self._ids_by_obj.get(id(codec))
        if cached is not None:
            return cached
        info = codec.type_info()
        key = self._key(info)
        type_id = self._ids_by_key.get(key)
        if type_id is None:
            type_id = len(self._types)
            self._types.append(info)
            self._resolved.append(key)
            self._ids_by_key[key] = type_id
        self._ids_by_obj[id(codec)] = type_id
        self._keep.append(codec)
        return type_id

    def register_recursive(self, *codecs: Codec[Any]) -> int:
        """Register a type that may contain itself (e.g. `RuntimeCall` holding a call in `Sudo.sudo`).

        The id is reserved for every descriptor in `codecs` (several objects may stand for the one type)
        before the type's children are registered, so a child that refers back gets that id.
        """
        type_id = len(self._types)
        self._types.append(TypeInfo("tuple"))  # placeholder until the children are known
        self._resolved.append(None)
        for codec in codecs:
            self._ids_by_obj[id(codec)] = type_id
            self._keep.append(codec)
        info = codecs[0].type_info()
        key = self._key(info)
        self._types[type_id] = info
        self._resolved[type_id] = key
        self._ids_by_key.setdefault(key, type_id)
        return type_id

    def _field_key(self, f: FieldInfo) -> Any:
        return (f.name, self.register(f.codec), f.type_name, f.docs)

    def _key(self, info: TypeInfo) -> Any:
        params = tuple((name, None if c is None else self.register(c)) for name, c in info.params)
        fields = tuple(self._field_key(f) for f in info.fields)
        variants = tuple(
            (v.name, v.index, tuple(self._field_key(f) for f in v.fields), v.docs) for v in info.variants
        )
        inner = None if info.inner is None else self.register(info.inner)
        items = tuple(self.register(c) for c in info.items)
        return (info.kind, info.path, params, fields, variants, inner, info.length, items, info.primitive,
                info.docs)  # fmt: skip

    def encode(self) -> bytes:
        """SCALE encoding of the registry (`PortableRegistry`)."""
        buf = bytearray()
        buf += encode_compact(len(self._types))
        for type_id, key in enumerate(self._resolved):
            kind, path, params, fields, variants, inner, length, items, primitive, docs = key
            buf += encode_compact(type_id)
            _strs(buf, path)
            buf += encode_compact(len(params))
            for name, param_id in params:
                _str(buf, name)
                if param_id is None:
                    buf.append(0)
                else:
                    buf.append(1)
                    buf += encode_compact(param_id)
            buf.append(_KINDS[kind])
            if kind == "composite":
                self._encode_fields(buf, fields)
            elif kind == "variant":
                buf += encode_compact(len(variants))
                for name, index, vfields, vdocs in sorted(variants, key=lambda v: v[1]):
                    _str(buf, name)
                    self._encode_fields(buf, vfields)
                    buf.append(index)
                    _strs(buf, vdocs)
            elif kind == "sequence" or kind == "compact":
                buf += encode_compact(inner)
            elif kind == "array":
                buf += length.to_bytes(4, "little")
                buf += encode_compact(inner)
            elif kind == "tuple":
                buf += encode_compact(len(items))
                for item in items:
                    buf += encode_compact(item)
            elif kind == "primitive":
                buf.append(_PRIMITIVES[primitive])
            _strs(buf, docs)
        return bytes(buf)

    @staticmethod
    def _encode_fields(buf: bytearray, fields: tuple[Any, ...]) -> None:
        buf += encode_compact(len(fields))
        for name, type_id, type_name, docs in fields:
            _opt_str(buf, name)
            buf += encode_compact(type_id)
            _opt_str(buf, type_name)
            _strs(buf, docs)
