"""Opening a PDF: its streams checked first, and the errors told apart.

pdfplumber wraps whatever pdfminer raises in one exception type, so without
looking inside, a password-protected file and an allocation that failed
under the memory limit would both read as "corrupt".
"""
from __future__ import annotations

import io

from worker.extract import ExtractError, Limits


def open_pdf(data: bytes, limits: Limits):
    """A pdfplumber PDF, or ExtractError: refused (a stream bomb), encrypted,
    or corrupt."""
    from worker.extract.bombs import check_pdf_streams

    check_pdf_streams(data, limits)
    try:
        import pdfplumber

        return pdfplumber.open(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as e:  # pdfminer raises many types for broken files
        reraise_memory(e)
        if _encrypted(e):
            raise ExtractError("unsupported", "PDF 已加密(需要密码才能打开),无法读取文字:"
                                              "请取得未加密的版本") from None
        raise ExtractError("failed", f"PDF 文件损坏或无法解析({type(e).__name__})") from None


def _causes(e: BaseException) -> list:
    """The error and those it wraps (pdfplumber wraps pdfminer's in its own)."""
    return [e, *getattr(e, "args", ()), e.__cause__, e.__context__]


def reraise_memory(e: BaseException) -> None:
    """An allocation that failed is the document's memory budget spent, not a
    broken page: let it reach the sandbox, which says so."""
    if any(isinstance(x, MemoryError) for x in _causes(e)):
        raise MemoryError(str(e)) from e


def _encrypted(e: BaseException) -> bool:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    return any(isinstance(x, (PDFPasswordIncorrect, PDFEncryptionError)) for x in _causes(e))
