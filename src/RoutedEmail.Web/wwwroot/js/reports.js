// Saves bytes that the report page fetched with the user's token as a file download. A plain link to the report
// cannot send the bearer token, so the page fetches the CSV itself and hands the bytes to this module.
export function saveFile(fileName, contentType, bytes) {
    const url = URL.createObjectURL(new Blob([bytes], { type: contentType }));
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    link.style.display = "none";
    document.body.appendChild(link);
    link.click();
    link.remove();
    // Revoked in a later task, after the click has started the download from the URL.
    setTimeout(() => URL.revokeObjectURL(url), 0);
}
