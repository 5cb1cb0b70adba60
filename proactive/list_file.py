"""Reading an official list file (CSV or XLSX) into rows, with file-level errors in the user's
language: portal.spreadsheets.TableFile with the columns of a proactive list."""

from django.core.files.uploadedfile import UploadedFile

from portal.spreadsheets import TableFile

from .resources import COLUMNS


class ListFile(TableFile):
    """The rows of an uploaded list under resource column names, with each row's line in the file."""

    columns = COLUMNS


def proactive_list_read(upload: UploadedFile) -> ListFile:
    """The list in an uploaded CSV or XLSX file (judged by content), or a ValidationError on "file"."""
    return ListFile.read(upload)
