-- CreateTable
CREATE TABLE "Upload" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "created" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'new'
);

-- CreateIndex
CREATE INDEX "Upload_chatId_createdAt_idx" ON "Upload"("chatId", "createdAt");

-- CreateIndex
CREATE INDEX "Upload_state_createdAt_idx" ON "Upload"("state", "createdAt");

-- CreateIndex
CREATE INDEX "Upload_name_idx" ON "Upload"("name");
