-- CreateTable
CREATE TABLE "ConsoleFormPost" (
    "nonce" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "ConsoleFormPost_at_idx" ON "ConsoleFormPost"("at");
